import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { parseProviderConfig } from "./config.ts";
import { discoveryStartupNotes } from "./discovery-startup.ts";
import { buildProvider } from "./provider.ts";
import { shouldSay } from "./runtime.ts";

/** The parts of the plugin API this plugin touches (and all a test has to supply). */
export type ProviderRegistrationApi = Pick<
  OpenClawPluginApi,
  "registrationMode" | "pluginConfig" | "config" | "logger" | "registerProvider" | "on"
>;

/**
 * Registers the provider, and the gateway-start report of why live discovery cannot run, in
 * every mode except `cli-metadata` (which only lists CLI commands; this plugin has none).
 * Registration is declarative: no network, no files, no runtime access. Lines that can repeat
 * (per catalog build, per refused request, per module instance) are said once a minute.
 */
export function registerTaasProvider(
  api: ProviderRegistrationApi,
  due: (key: string) => boolean = shouldSay,
): void {
  if (api.registrationMode === "cli-metadata") return;
  const settings = parseProviderConfig(api.pluginConfig);
  const warnOnce = (key: string, line: string) => {
    if (due(key)) api.logger.warn(line);
  };
  api.registerProvider(buildProvider({ settings: () => settings, logger: api.logger, warnOnce }));
  api.on("gateway_start", (_event, ctx) => {
    for (const line of discoveryStartupNotes(ctx.config ?? api.config, settings)) {
      warnOnce(line, line);
    }
  });
}
