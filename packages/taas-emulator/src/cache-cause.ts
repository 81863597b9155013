import type { ConversationMatch, PromptShape } from "./conversation-history.ts";
import type { ReplicaPrefixCache } from "./prefix-cache.ts";

/** Why a request's cached tokens fell short of what its conversation had sent (see README). */
export type CacheCause =
  | "none"
  | "cold"
  | "below_minimum"
  | "expired"
  | "evicted"
  | "other_replica"
  | "diverged";

export const CACHE_CAUSES: readonly CacheCause[] = [
  "none",
  "cold",
  "below_minimum",
  "expired",
  "evicted",
  "other_replica",
  "diverged",
];

/** The emulator's ground truth for one chat completion. */
export interface CacheTruth {
  /** Longest cacheable prefix of this prompt an earlier request of the conversation sent. */
  idealCachedTokens: number;
  cause: CacheCause;
  /** For `diverged`: `tools`, `system` or `history:<message index>`; otherwise null. */
  at: string | null;
}

export interface CacheFacts {
  cachedTokens: number;
  shape: PromptShape;
  match: ConversationMatch;
  /** Index of the replica that served the request; caches as they were before it stored. */
  serving: number;
  caches: readonly ReplicaPrefixCache[];
  now: number;
  ttlMs: number;
}

/**
 * One cause per request, the first that applies: cold; then, when the cache served less than
 * the ideal, what became of the ideal prefix (a live copy elsewhere, else its fate on the
 * serving replica, else elsewhere); then a prompt that changed before the previous prompt's
 * cacheable end; then nothing cacheable shared; else none.
 */
export function explainCache(facts: CacheFacts): CacheTruth {
  const { cachedTokens, shape, match } = facts;
  const idealCachedTokens = match.ideal?.tokens ?? 0;
  const truth = (cause: CacheCause, at: string | null = null): CacheTruth => ({
    idealCachedTokens,
    cause,
    at,
  });
  if (!match.known) {
    // A keyless prompt under the minimum has no prefix to recognise its conversation by.
    return truth(match.keyless && shape.cacheableTokens === 0 ? "below_minimum" : "cold");
  }
  if (cachedTokens < idealCachedTokens && match.ideal !== null) {
    return truth(fateOfIdeal(facts, match.ideal.key, match.ideal.sending.time));
  }
  const previous = match.previous;
  if (
    previous !== null &&
    cachedTokens < Math.min(previous.cacheableTokens, shape.cacheableTokens)
  ) {
    const at = divergence(previous, shape);
    if (at !== null) return truth("diverged", at);
  }
  return truth(cachedTokens === 0 ? "below_minimum" : "none");
}

/** Where the ideal prefix went: the change of routing, TTL or capacity that would have kept it. */
function fateOfIdeal(facts: CacheFacts, key: string, lastSent: number): CacheCause {
  const { caches, serving, now } = facts;
  const others = caches.filter((_, index) => index !== serving);
  if (others.some((cache) => cache.status(key, now) === "live")) return "other_replica";
  const mine = caches[serving]?.status(key, now);
  if (mine === "expired" || mine === "evicted") return mine;
  // Never on this replica: the copy the conversation last sent elsewhere is not live, so it
  // expired if that send is a TTL old, and otherwise only capacity can have dropped it.
  return now - lastSent >= facts.ttlMs ? "expired" : "evicted";
}

/** The first tool or message where two prompts differ, or null when one extends the other. */
export function divergence(previous: PromptShape, current: PromptShape): string | null {
  const length = Math.min(previous.segmentIds.length, current.segmentIds.length);
  let index = 0;
  while (index < length && previous.segmentIds[index] === current.segmentIds[index]) index++;
  if (index === length) return null;
  if (index < Math.max(previous.toolCount, current.toolCount)) return "tools";
  const message = index - current.toolCount;
  if (message < Math.max(previous.systemCount, current.systemCount)) return "system";
  return `history:${message}`;
}

/** The usage ledger's closed set of causes for uncached tokens. */
export type LedgerCause =
  | "none"
  | "cold"
  | "below_minimum"
  | "ttl_expired"
  | "replica_switch"
  | "prefix_system"
  | "prefix_tools"
  | "prefix_history"
  | "upstream"
  | "unknown";

/** The ledger cause a correct ledger reports for this truth (the emulator never says unknown). */
export function ledgerCauseOf(truth: Pick<CacheTruth, "cause" | "at">): LedgerCause {
  switch (truth.cause) {
    case "expired":
      return "ttl_expired";
    case "evicted":
      return "upstream";
    case "other_replica":
      return "replica_switch";
    case "diverged":
      if (truth.at === "tools") return "prefix_tools";
      return truth.at === "system" ? "prefix_system" : "prefix_history";
    default:
      return truth.cause;
  }
}

export const CACHE_CAUSE_HEADER = "x-taas-emulator-cache-cause";
export const CACHE_IDEAL_HEADER = "x-taas-emulator-cache-ideal";

/** Emulator-only response headers: real TaaS sends nothing like them. */
export function cacheTruthHeaders(truth: CacheTruth): Record<string, string> {
  const cause = truth.at === null ? truth.cause : `${truth.cause}; at=${truth.at}`;
  return { [CACHE_CAUSE_HEADER]: cause, [CACHE_IDEAL_HEADER]: String(truth.idealCachedTokens) };
}

/** Tools, then leading system/developer messages: the parts a divergence is located in. */
export function promptShape(
  segmentIds: readonly string[],
  toolCount: number,
  roles: readonly string[],
  cacheableTokens: number,
): PromptShape {
  let systemCount = 0;
  while (roles[systemCount] === "system" || roles[systemCount] === "developer") systemCount++;
  return { segmentIds, toolCount, systemCount, cacheableTokens };
}
