import { MAX_PRICE_USD_PER_MILLION } from "@cloudsigma/taas-core/price-ceiling";
import { quoted } from "@cloudsigma/taas-core/quoted";
import type { DiscoveryResult } from "./discovery.ts";
import { PLUGIN_ID } from "./identity.ts";
import type { OnboardedRows } from "./onboard-rows.ts";

/**
 * What onboarding tells the operator, one line each: what it wrote and from where, why it could
 * not read the gateway's model list, and which endpoint value it replaced. Lines quote what came
 * from config or the network (bounded), and never hold the key (the caller redacts it too).
 */

/** Why the model list was not read, when onboarding did not try. */
export type DiscoverySkipped = "discovery-off" | "no-plain-key";

export interface OnboardingNoteInput {
  baseUrl: string;
  /** The provider entry's previous endpoint, when the plugin setting replaced it. */
  replaced?: string | undefined;
  discovery: DiscoveryResult | DiscoverySkipped;
  rows: OnboardedRows;
}

/** How many ids a line names before it says "and N more". */
const LISTED_IDS = 5;

export function onboardingNotes(input: OnboardingNoteInput): string[] {
  const { baseUrl, replaced, discovery, rows } = input;
  const notes: string[] = [];
  if (replaced) {
    notes.push(
      `${PLUGIN_ID}: models.providers.cloudsigma.baseUrl was ${quoted(replaced, 200)}; onboarding wrote ${quoted(baseUrl, 200)} from plugins.entries.cloudsigma.config.baseUrl (the plugin setting wins at onboarding)`,
    );
  }
  const listing = typeof discovery === "object" && discovery.ok ? discovery : undefined;
  const listed = listing
    ? `${listing.models.length} chat route(s), ${listing.prices.size} with prices`
    : "0 chat route(s)";
  const parts = [
    `${rows.refreshed} refreshed`,
    `${rows.added} new`,
    `${rows.removed.length} removed${idList(rows.removed)}`,
  ];
  const kept =
    rows.keptOperatorRows.length > 0
      ? `; kept your own row for ${rows.keptOperatorRows.length} id(s)${idList(rows.keptOperatorRows)}`
      : "";
  notes.push(
    `${PLUGIN_ID}: onboarding wrote ${rows.marks.size} catalog row(s) for ${quoted(baseUrl, 200)} into models.providers.cloudsigma.models (the gateway's /models listed ${listed}; ${parts.join(", ")})${kept}`,
  );
  const refused = refusedPricesNote(discovery);
  if (refused) notes.push(refused);
  const unread = unreadReason(discovery);
  if (unread) {
    notes.push(
      `${PLUGIN_ID}: onboarding did not read the gateway's model list: ${unread}; it wrote the static catalog, and rows it discovered before stay as they were`,
    );
  }
  return notes;
}

function unreadReason(discovery: OnboardingNoteInput["discovery"]): string | undefined {
  if (discovery === "discovery-off")
    return "discovery is off (plugins.entries.cloudsigma.config.discovery: false)";
  if (discovery === "no-plain-key")
    return "the key is stored as a reference, not as a value onboarding can send";
  if (discovery.ok) return undefined;
  return discovery.authRejected
    ? `${discovery.reason}; check the key you gave, then onboard again`
    : discovery.reason;
}

/** Listed prices past the ceiling: written as not stated, so no call is priced by them. */
function refusedPricesNote(discovery: OnboardingNoteInput["discovery"]): string | undefined {
  if (typeof discovery !== "object" || !discovery.ok || discovery.refusedPrices.length === 0)
    return undefined;
  const named = discovery.refusedPrices.map((refused) => `${refused.model} ${refused.field}`);
  return `${PLUGIN_ID}: the gateway's /models listed ${named.length} price(s) above ${MAX_PRICE_USD_PER_MILLION} USD per million tokens${idList(named)}; onboarding wrote them as not stated (0), and the usage ledger prices those kinds as unknown`;
}

function idList(ids: readonly string[]): string {
  if (ids.length === 0) return "";
  const shown = ids.slice(0, LISTED_IDS).map((id) => quoted(id, 128));
  const more = ids.length > LISTED_IDS ? ` and ${ids.length - LISTED_IDS} more` : "";
  return ` (${shown.join(", ")}${more})`;
}
