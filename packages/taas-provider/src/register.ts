import { writeGatewayPrices } from "@cloudsigma/taas-core/contracts/gateway-prices";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import pkg from "../package.json" with { type: "json" };
import { parseProviderConfig } from "./config.ts";
import { discoveryStartupNotes } from "./discovery-startup.ts";
import { buildProvider } from "./provider.ts";
import { processSessionId, shouldSay } from "./runtime.ts";

/** The parts of the plugin API this plugin touches (and all a test has to supply). */
export type ProviderRegistrationApi = Pick<
  OpenClawPluginApi,
  "registrationMode" | "pluginConfig" | "config" | "logger" | "registerProvider" | "on"
>;

/** What the entry hands in from the host: the state dir, resolved the host's way. */
export interface ProviderHost {
  stateDir: () => string;
}

/**
 * Registers the provider, and the gateway-start report of why live discovery cannot run, in
 * every mode except `cli-metadata` (which only lists CLI commands; this plugin has none).
 * Registration is declarative: no network, no files, no runtime access. Lines that can repeat
 * (per catalog build, per refused request, per module instance) are said once a minute. A
 * successful discovery later saves the prices TaaS listed under the state dir, for the usage
 * ledger (the gateway-prices seam).
 */
export function registerTaasProvider(
  api: ProviderRegistrationApi,
  host: ProviderHost,
  due: (key: string) => boolean = shouldSay,
): void {
  if (api.registrationMode === "cli-metadata") return;
  const settings = parseProviderConfig(api.pluginConfig);
  const warnOnce = (key: string, line: string) => {
    if (due(key)) api.logger.warn(line);
  };
  api.registerProvider(
    buildProvider({
      settings: () => settings,
      logger: api.logger,
      warnOnce,
      publishPrices: (providers, prices) => writeGatewayPrices(host.stateDir(), providers, prices),
      identity: { pluginVersion: pkg.version, processSessionId },
    }),
  );
  api.on("gateway_start", (_event, ctx) => {
    for (const line of discoveryStartupNotes(ctx.config ?? api.config, settings)) {
      warnOnce(line, line);
    }
  });
}
