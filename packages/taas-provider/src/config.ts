import { type ParsedConfig, parseConfig } from "@cloudsigma/taas-core/config";
import { DEFAULT_DISCOVERY_TIMEOUT_MS } from "./discovery.ts";
import { PLUGIN_ID } from "./identity.ts";

/**
 * `plugins.entries.cloudsigma.config`. The endpoint itself is not here: it lives where the
 * host keeps every provider's endpoint, `models.providers.cloudsigma.baseUrl` (see base-url.ts).
 */
export const CONFIG_SPEC = {
  baseUrl: {
    type: "optionalString",
    maxLength: 2048,
    description:
      "TaaS endpoint (OpenAI-compatible, ending in /v1), e.g. a staging gateway or the emulator on loopback. Default https://taas.cloudsigma.com/v1.",
  },
  discovery: {
    type: "boolean",
    default: true,
    description:
      "Read <baseUrl>/models with the API key to add chat routes the static catalog does not list. Off: static catalog only.",
  },
  discoveryTimeoutMs: {
    type: "integer",
    default: DEFAULT_DISCOVERY_TIMEOUT_MS,
    min: 500,
    max: 30_000,
    description:
      "Time budget for the whole /models read, in milliseconds; past it the static catalog is used.",
  },
} as const;

export type TaasProviderConfig = ParsedConfig<typeof CONFIG_SPEC>;

export function parseProviderConfig(raw: unknown): TaasProviderConfig {
  return parseConfig(PLUGIN_ID, CONFIG_SPEC, raw);
}
