import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { parseProviderConfig } from "./config.ts";
import { buildProvider } from "./provider.ts";

/** The parts of the plugin API this plugin touches (and all a test has to supply). */
export type ProviderRegistrationApi = Pick<
  OpenClawPluginApi,
  "registrationMode" | "pluginConfig" | "logger" | "registerProvider"
>;

/**
 * Registers the provider in every mode except `cli-metadata` (which only lists CLI commands;
 * this plugin has none). Registration is declarative: no network, no files, no runtime access.
 */
export function registerTaasProvider(api: ProviderRegistrationApi): void {
  if (api.registrationMode === "cli-metadata") return;
  const settings = parseProviderConfig(api.pluginConfig);
  api.registerProvider(buildProvider({ settings: () => settings, logger: api.logger }));
}
