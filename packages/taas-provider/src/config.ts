import { type ParsedConfig, parseConfig } from "@cloudsigma/taas-core/config";
import { DEFAULT_DISCOVERY_TIMEOUT_MS } from "./discovery.ts";
import { PLUGIN_ID } from "./identity.ts";

/**
 * `plugins.entries.cloudsigma.config`. `baseUrl` is the endpoint onboarding writes into the
 * host's provider entry, `models.providers.cloudsigma.baseUrl` (see base-url.ts for which one
 * wins when they differ). `onboardedRows` is written by onboarding, not by hand.
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
  listingRefreshMinutes: {
    type: "integer",
    default: 60,
    min: 0,
    max: 10_080,
    description:
      "How often the gateway reads <baseUrl>/models itself (at start, then every N minutes): the listed prices are saved for the usage ledger, and the rows onboarding wrote are rewritten when the listing changed them (rows you wrote or edited never). 0: never; the listing is then read only by onboarding and, at the production gateway, by the host's catalog build.",
  },
  onboardedRows: {
    type: "stringList",
    default: [],
    maxItems: 4_096,
    description:
      "Written by onboarding, not by hand: <model id>#<digest> for each row it wrote into models.providers.cloudsigma.models. Re-onboarding replaces a row whose content still matches its digest and keeps a row you edited or added.",
  },
} as const;

export type TaasProviderConfig = ParsedConfig<typeof CONFIG_SPEC>;

export function parseProviderConfig(raw: unknown): TaasProviderConfig {
  return parseConfig(PLUGIN_ID, CONFIG_SPEC, raw);
}
