import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import type { ProviderRegistrationApi } from "./register.ts";

/**
 * The host runtime the provider's registration reads, for its tests: the listing refresh's
 * config (this one), key (this one) and config writer. A config mutation runs on a copy, and
 * lands in `writes` when it completes (one that throws is written by no host).
 */
export function hostRuntime(
  config: OpenClawConfig,
  apiKey?: string,
  writes: OpenClawConfig[] = [],
): ProviderRegistrationApi["runtime"] {
  return {
    config: {
      current: () => config,
      mutateConfigFile: mutateOnCopy(config, writes),
    },
    modelAuth: {
      resolveApiKeyForProvider: async () => ({ apiKey, source: "env", mode: "api-key" }),
    },
  };
}

type MutateConfigFile = ProviderRegistrationApi["runtime"]["config"]["mutateConfigFile"];

function mutateOnCopy(config: OpenClawConfig, writes: OpenClawConfig[]): MutateConfigFile {
  const mutate = async (params: Parameters<MutateConfigFile>[0]) => {
    const draft = structuredClone(config);
    const result = await params.mutate(draft, {} as never);
    writes.push(draft);
    return { result };
  };
  // The fake answers only `result`, all the refresh reads of the host's answer.
  return mutate as unknown as MutateConfigFile;
}
