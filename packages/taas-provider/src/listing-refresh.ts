import { errorText } from "@cloudsigma/taas-core/error-text";
import { warnRefusedPrice } from "@cloudsigma/taas-core/price-ceiling";
import { quoted } from "@cloudsigma/taas-core/quoted";
import type { ModelPrices } from "@cloudsigma/taas-core/usage/model-prices";
import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { resolveBaseUrl } from "./base-url.ts";
import type { TaasProviderConfig } from "./config.ts";
import { type DiscoveryRequest, type DiscoveryResult, discoverModels } from "./discovery.ts";
import { AUTH, PLUGIN_ID, PROVIDER_ALIAS, PROVIDER_ID } from "./identity.ts";
import type { ModelDefinition } from "./model-types.ts";
import { currentRows } from "./onboard.ts";
import { readMarks, storedMarks, writeMarks } from "./onboard-marks.ts";
import { mergeOnboardedRows, type OnboardedRows } from "./onboard-rows.ts";
import type { PublishPrices } from "./provider-catalog.ts";
import { redactSecret } from "./redact.ts";
import { KEY_FIX } from "./rejected-key.ts";

/**
 * The gateway's own read of TaaS's `/models`, so listed prices (and routes) arrive without
 * re-onboarding. The host reads a provider's live catalog only at the endpoint its manifest
 * declares (the production gateway), and even there the rows onboarding wrote into the config
 * win over it; so the plugin reads the listing itself, at gateway start and then every
 * `listingRefreshMinutes`, and puts it where it counts:
 * - the prices, on the gateway-prices seam, for the usage ledger and the token audit;
 * - the rows onboarding wrote (and only those, by their marks), rewritten as re-onboarding
 *   would write them, when the listing changed them; rows the operator wrote or edited are
 *   never touched, and a config onboarding never wrote rows into is not written at all.
 * The host applies the rewrite without a restart. Every failure is a line in the log, and the
 * prices and rows stay as last read.
 */

export interface ListingRefreshDeps {
  settings: () => TaasProviderConfig;
  /** The host config as it is now. */
  config: () => OpenClawConfig;
  /** The plain key the host would send for `cloudsigma`, or undefined. */
  apiKey: (config: OpenClawConfig) => Promise<string | undefined>;
  discover?: (request: DiscoveryRequest) => Promise<DiscoveryResult>;
  publishPrices: PublishPrices;
  /**
   * Runs `update` on the config file as it is and writes the result, unless `update` answers
   * undefined (nothing to change): then nothing is written. Resolves to what `update` answered.
   */
  updateConfig: (
    update: (draft: OpenClawConfig) => OnboardedRows | undefined,
  ) => Promise<OnboardedRows | undefined>;
  info: (line: string) => void;
  warn: (line: string) => void;
}

export type RefreshOutcome =
  | { read: false; reason: string }
  | { read: true; prices: number; rows: OnboardedRows | undefined };

/** One read of the listing, and what it changes. Never throws. */
export async function refreshListing(deps: ListingRefreshDeps): Promise<RefreshOutcome> {
  const settings = deps.settings();
  if (!settings.discovery) return { read: false, reason: "discovery is off" };
  const config = deps.config();
  const baseUrl = resolveBaseUrl(config, settings.baseUrl);
  const say = (line: string, apiKey?: string) =>
    deps.warn(
      redactSecret(`${PLUGIN_ID}: listing refresh at ${quoted(baseUrl, 200)}: ${line}`, apiKey),
    );
  let apiKey: string | undefined;
  let keyError = "";
  try {
    apiKey = await deps.apiKey(config);
  } catch (error) {
    keyError = ` (${errorText(error, 200)})`;
  }
  if (!apiKey) {
    const reason = `skipped: no usable API key for ${PROVIDER_ID} in the gateway${keyError} (set ${AUTH.envVar}, or onboard with ${AUTH.cliFlag}); prices and rows stay as last read`;
    say(reason);
    return { read: false, reason };
  }
  const result = await (deps.discover ?? discoverModels)({
    baseUrl,
    apiKey,
    timeoutMs: settings.discoveryTimeoutMs,
  });
  if (!result.ok) {
    say(
      `${result.reason}; prices and rows stay as last read${result.authRejected ? `; ${KEY_FIX}` : ""}`,
      apiKey,
    );
    return { read: false, reason: result.reason };
  }
  if (result.models.length === 0) {
    // As the catalog build does: an empty list is a gateway fault, not every route withdrawn.
    const reason = "the gateway listed no usable chat models";
    say(`${reason}; prices and rows stay as last read`, apiKey);
    return { read: false, reason };
  }
  for (const refused of result.refusedPrices)
    warnRefusedPrice((line) => say(line, apiKey), refused);
  try {
    await deps.publishPrices([PROVIDER_ID, PROVIDER_ALIAS], result.prices);
  } catch (error) {
    say(`could not save the listed prices for the usage ledger (${errorText(error, 200)})`, apiKey);
  }
  const listing = { live: result.models, prices: result.prices };
  let rows: OnboardedRows | undefined;
  try {
    rows = await deps.updateConfig((draft) => refreshOnboardedRows(draft, listing));
  } catch (error) {
    say(`could not rewrite the rows onboarding wrote (${errorText(error, 200)})`, apiKey);
  }
  if (rows) {
    deps.info(
      `${PLUGIN_ID}: the gateway's /models changed the rows onboarding wrote into models.providers.cloudsigma.models: ${rows.refreshed} refreshed, ${rows.added} new, ${rows.removed.length} removed${rows.keptOperatorRows.length > 0 ? `; your own row kept for ${rows.keptOperatorRows.length} id(s)` : ""}; the host applies them without a restart`,
    );
  }
  return { read: true, prices: result.prices.size, rows };
}

interface Listing {
  live: readonly ModelDefinition[];
  prices: ReadonlyMap<string, ModelPrices>;
}

/**
 * Rewrites, in `draft`, the rows onboarding wrote as it would write them from `listing` (the
 * same rule as re-onboarding, `mergeOnboardedRows`), with their marks. Answers undefined, and
 * leaves `draft` alone, when onboarding wrote no rows there or nothing would change.
 */
export function refreshOnboardedRows(
  draft: OpenClawConfig,
  listing: Listing,
): OnboardedRows | undefined {
  const provider = draft.models?.providers?.[PROVIDER_ID];
  const pluginEntry = draft.plugins?.entries?.[PLUGIN_ID];
  const marks = readMarks(storedMarks(pluginEntry?.config?.onboardedRows));
  if (!provider || !pluginEntry || marks.size === 0) return undefined;
  const existing: ModelDefinition[] = Array.isArray(provider.models) ? provider.models : [];
  const rows = mergeOnboardedRows({ existing, marks, current: currentRows(listing), listed: true });
  // Onboarding's rows alone decide: an operator's edit (its row no longer marked, and first in
  // the list as re-onboarding orders it) is no reason to rewrite the operator's file.
  if (rows.refreshed === 0 && rows.added === 0 && rows.removed.length === 0) return undefined;
  provider.models = rows.models;
  pluginEntry.config = { ...pluginEntry.config, onboardedRows: writeMarks(rows.marks) };
  return rows;
}
