import { errorText } from "@cloudsigma/taas-core/error-text";
import { shortHash } from "@cloudsigma/taas-core/hash";
import { warnRefusedPrice } from "@cloudsigma/taas-core/price-ceiling";
import { quoted } from "@cloudsigma/taas-core/quoted";
import type { ModelPrices } from "@cloudsigma/taas-core/usage/model-prices";
import type {
  ProviderCatalogContext,
  ProviderCatalogResult,
} from "openclaw/plugin-sdk/plugin-entry";
import { isNonSecretApiKeyMarker } from "openclaw/plugin-sdk/provider-auth";
import { resolveBaseUrl } from "./base-url.ts";
import { mergeCatalog } from "./catalog-merge.ts";
import type { TaasProviderConfig } from "./config.ts";
import {
  type DiscoveryRequest,
  type DiscoveryResult,
  discoverModels,
  MAX_DISCOVERED_ROWS,
} from "./discovery.ts";
import { AUTH, PLUGIN_ID, PROVIDER_ALIAS, PROVIDER_API, PROVIDER_ID } from "./identity.ts";
import { withListedPrices } from "./listed-prices.ts";
import type { ModelDefinition, ProviderConfig } from "./model-types.ts";
import { redactSecret } from "./redact.ts";
import { KEY_FIX } from "./rejected-key.ts";
import { staticModels } from "./seed-catalog.ts";

/**
 * The provider's catalog hooks. `staticRun` is offline and key-free, and carries no prices.
 * `run` starts from the same static rows and, with a key, adds what `<baseUrl>/models` lists
 * and fills in the prices it states, seed rows included (their limits stay the seed's); the
 * prices also go to the usage ledger through the gateway-prices seam. Any discovery failure
 * keeps the static catalog and says why in one warning (never with the key in it).
 */

/** A successful listing is reused this long per endpoint and key (failures are retried). */
export const DISCOVERY_CACHE_TTL_MS = 60_000;

/** Saves the prices a listing states for the usage ledger and the token audit (the gateway-prices seam). */
export type PublishPrices = (
  providers: readonly string[],
  prices: ReadonlyMap<string, ModelPrices>,
) => Promise<void>;

export interface CatalogLogger {
  warn(message: string): void;
}

export interface CatalogDeps {
  settings: () => TaasProviderConfig;
  logger: CatalogLogger;
  /** For lines that would repeat on every catalog build; default: every time. */
  warnOnce?: (key: string, line: string) => void;
  discover?: (request: DiscoveryRequest) => Promise<DiscoveryResult>;
  /** Hands listed prices to the usage ledger (the gateway-prices seam); none in tests that do not ask. */
  publishPrices?: PublishPrices;
  now?: () => number;
}

export function buildStaticProvider(baseUrl: string): ProviderConfig {
  return { baseUrl, api: PROVIDER_API, models: staticModels() };
}

export function createStaticCatalogRun(deps: Pick<CatalogDeps, "settings">) {
  return function runStaticCatalog(ctx: ProviderCatalogContext): Promise<ProviderCatalogResult> {
    const baseUrl = resolveBaseUrl(ctx.config, deps.settings().baseUrl);
    return Promise.resolve({ provider: buildStaticProvider(baseUrl) });
  };
}

/** What a successful discovery contributes: the live rows and the listed prices. */
interface Listing {
  live: ModelDefinition[];
  prices: ReadonlyMap<string, ModelPrices>;
}

export function createCatalogRun(deps: CatalogDeps) {
  const discover = deps.discover ?? discoverModels;
  const now = deps.now ?? Date.now;
  const cache = new Map<string, Listing & { until: number }>();
  const withListing = (provider: ProviderConfig, listing: Listing): ProviderCatalogResult => ({
    provider: {
      ...provider,
      models: mergeCatalog(withListedPrices(provider.models, listing.prices), listing.live),
    },
  });

  return async function runCatalog(ctx: ProviderCatalogContext): Promise<ProviderCatalogResult> {
    if (ctx.providerIds && !ctx.providerIds.some(isOurs)) return null;
    const settings = deps.settings();
    const baseUrl = resolveBaseUrl(ctx.config, settings.baseUrl);
    const provider = buildStaticProvider(baseUrl);
    if (!settings.discovery) return { provider };
    const apiKey = usableKey(ctx);
    if (!apiKey) {
      (deps.warnOnce ?? ((_key, line) => deps.logger.warn(line)))(
        "no-key",
        `${PLUGIN_ID}: model discovery at ${quoted(baseUrl, 200)} skipped: no usable API key for ${PROVIDER_ID} (set ${AUTH.envVar}, or onboard with ${AUTH.cliFlag}; a key kept as a secret reference is not sent for discovery); using the static catalog`,
      );
      return { provider };
    }

    const cacheKey = `${baseUrl}\n${shortHash(apiKey)}`;
    const cached = cache.get(cacheKey);
    if (cached && cached.until > now()) return withListing(provider, cached);
    const result = await discover({
      baseUrl,
      apiKey,
      timeoutMs: settings.discoveryTimeoutMs,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const warn = (message: string) =>
      deps.logger.warn(
        redactSecret(`${PLUGIN_ID}: model discovery at ${baseUrl}: ${message}`, apiKey),
      );
    if (!result.ok) {
      warn(
        `${result.reason}; using the static catalog${result.authRejected ? `; ${KEY_FIX}` : ""}`,
      );
      return { provider };
    }
    if (result.models.length === 0) {
      warn("the gateway listed no usable chat models; using the static catalog");
      return { provider };
    }
    if (result.malformed > 0) warn(`skipped ${result.malformed} malformed model row(s)`);
    for (const refused of result.refusedPrices) warnRefusedPrice(warn, refused);
    if (result.cut > 0)
      warn(`read the first ${MAX_DISCOVERED_ROWS} rows; ${result.cut} more ignored`);
    const listing: Listing = { live: result.models, prices: result.prices };
    cache.set(cacheKey, { ...listing, until: now() + DISCOVERY_CACHE_TTL_MS });
    await deps.publishPrices?.([PROVIDER_ID, PROVIDER_ALIAS], listing.prices).catch((error) => {
      // The catalog stands without it; the ledger then prices these models from config only.
      warn(`could not save the listed prices for the usage ledger (${errorText(error)})`);
    });
    return withListing(provider, listing);
  };
}

/** The real key for discovery: absent, blank or a host marker (a SecretRef, ...) means none. */
function usableKey(ctx: ProviderCatalogContext): string | undefined {
  const auth = ctx.resolveProviderApiKey(PROVIDER_ID);
  for (const candidate of [auth.discoveryApiKey, auth.apiKey]) {
    const key = candidate?.trim();
    if (key && !isNonSecretApiKeyMarker(key)) return key;
  }
  return undefined;
}

function isOurs(id: string): boolean {
  return id === PROVIDER_ID || id === PROVIDER_ALIAS;
}
