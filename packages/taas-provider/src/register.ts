import { writeGatewayPrices } from "@cloudsigma/taas-core/contracts/gateway-prices";
import type { OpenClawConfig, OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { isNonSecretApiKeyMarker } from "openclaw/plugin-sdk/provider-auth";
import pkg from "../package.json" with { type: "json" };
import { parseProviderConfig } from "./config.ts";
import { discoveryStartupNotes } from "./discovery-startup.ts";
import { PROVIDER_ID } from "./identity.ts";
import type { ListingRefreshDeps } from "./listing-refresh.ts";
import { listingRefreshService } from "./listing-refresh-service.ts";
import { PROBE_CLI_DESCRIPTOR, probeCli } from "./probe/command.ts";
import { buildProvider } from "./provider.ts";
import { processSessionId, shouldSay } from "./runtime.ts";

/** The parts of the plugin API this plugin touches (and all a test has to supply). */
export type ProviderRegistrationApi = Pick<
  OpenClawPluginApi,
  | "registrationMode"
  | "pluginConfig"
  | "config"
  | "logger"
  | "registerProvider"
  | "registerService"
  | "registerCli"
  | "on"
> & { readonly runtime: HostRuntime };

/** What the listing refresh asks of the host's runtime: the live config, its writer, the key. */
type HostRuntime = {
  config: Pick<OpenClawPluginApi["runtime"]["config"], "current" | "mutateConfigFile">;
  modelAuth: Pick<OpenClawPluginApi["runtime"]["modelAuth"], "resolveApiKeyForProvider">;
};

/** What the entry hands in from the host: the state dir, resolved the host's way. */
export interface ProviderHost {
  stateDir: () => string;
  /** Where the probe command finds the key when the host's runtime cannot say (CLI metadata loads). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Registers the `openclaw cloudsigma probe` command in every mode; the provider, the
 * gateway-start report of why the host's live discovery cannot run, and the listing refresh
 * (a gateway service), in every mode except `cli-metadata` (which only lists CLI commands). Registration is declarative: no network, no
 * files, no runtime access. Lines that can repeat (per catalog build, per refused request, per
 * module instance) are said once a minute. Every read of the listing saves the prices TaaS
 * listed under the state dir, for the usage ledger (the gateway-prices seam).
 */
export function registerTaasProvider(
  api: ProviderRegistrationApi,
  host: ProviderHost,
  due: (key: string) => boolean = shouldSay,
): void {
  api.registerCli(
    probeCli({
      settings: () => parseProviderConfig(api.pluginConfig),
      stateDir: host.stateDir,
      pluginVersion: pkg.version,
      // The runtime is there when the command runs in a full load; otherwise the env's key.
      apiKey: (config) => plainProviderKey(api.runtime, config),
      env: host.env ?? {},
    }),
    { descriptors: [PROBE_CLI_DESCRIPTOR] },
  );
  if (api.registrationMode === "cli-metadata") return;
  const settings = parseProviderConfig(api.pluginConfig);
  const warnOnce = (key: string, line: string) => {
    if (due(key)) api.logger.warn(line);
  };
  const publishPrices: ListingRefreshDeps["publishPrices"] = (providers, prices) =>
    writeGatewayPrices(host.stateDir(), providers, prices);
  api.registerProvider(
    buildProvider({
      settings: () => settings,
      logger: api.logger,
      warnOnce,
      publishPrices,
      identity: { pluginVersion: pkg.version, processSessionId },
    }),
  );
  api.registerService(
    listingRefreshService({
      deps: {
        settings: () => settings,
        config: () => api.runtime.config.current() as OpenClawConfig,
        apiKey: (config) => plainProviderKey(api.runtime, config),
        publishPrices,
        updateConfig: (update) => writeIfChanged(api.runtime, update),
        info: (line) => api.logger.info(line),
        warn: (line) => warnOnce(line, line),
      },
    }),
  );
  api.on("gateway_start", (_event, ctx) => {
    for (const line of discoveryStartupNotes(ctx.config ?? api.config, settings)) {
      warnOnce(line, line);
    }
  });
}

/**
 * The key the host would send for `cloudsigma` (the env var, or the profile onboarding stored);
 * a key kept as a secret reference, or any other non-secret marker, is none.
 */
async function plainProviderKey(
  runtime: HostRuntime,
  config: OpenClawConfig,
): Promise<string | undefined> {
  const auth = await runtime.modelAuth.resolveApiKeyForProvider({
    provider: PROVIDER_ID,
    cfg: config,
  });
  const key = auth.apiKey?.trim();
  return key && !isNonSecretApiKeyMarker(key) ? key : undefined;
}

/** Thrown out of a config mutation that changes nothing, so the host writes nothing. */
const UNCHANGED = Symbol("unchanged");

/**
 * The host's config writer commits whatever the draft holds, and a commit reformats the
 * operator's file (JSON5 comments are dropped) and reloads the plugin: a refresh that changes
 * nothing aborts its mutation instead.
 */
async function writeIfChanged<T>(
  runtime: HostRuntime,
  update: (draft: OpenClawConfig) => T | undefined,
): Promise<T | undefined> {
  try {
    const written = await runtime.config.mutateConfigFile<T>({
      base: "source",
      afterWrite: { mode: "auto" },
      mutate: (draft) => {
        const result = update(draft);
        if (result === undefined) throw UNCHANGED;
        return result;
      },
    });
    return written.result;
  } catch (error) {
    if (error === UNCHANGED) return undefined;
    throw error;
  }
}
