import { writeGatewayPrices } from "@cloudsigma/taas-core/gateway-prices";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { parseProviderConfig } from "./config.ts";
import { buildProvider } from "./provider.ts";

/** The parts of the plugin API this plugin touches (and all a test has to supply). */
export type ProviderRegistrationApi = Pick<
  OpenClawPluginApi,
  "registrationMode" | "pluginConfig" | "logger" | "registerProvider"
>;

/** What the entry hands in from the host: the state dir, resolved the host's way. */
export interface ProviderHost {
  stateDir: () => string;
}

/**
 * Registers the provider in every mode except `cli-metadata` (which only lists CLI commands;
 * this plugin has none). Registration is declarative: no network, no files, no runtime access.
 * A successful discovery later saves the prices TaaS listed under the state dir, for the usage
 * ledger (the gateway-prices seam).
 */
export function registerTaasProvider(api: ProviderRegistrationApi, host: ProviderHost): void {
  if (api.registrationMode === "cli-metadata") return;
  const settings = parseProviderConfig(api.pluginConfig);
  api.registerProvider(
    buildProvider({
      settings: () => settings,
      logger: api.logger,
      publishPrices: (providers, prices) => writeGatewayPrices(host.stateDir(), providers, prices),
    }),
  );
}
