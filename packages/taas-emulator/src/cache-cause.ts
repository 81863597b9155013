import type { ConversationMatch, PromptShape, Sending } from "./conversation-history.ts";
import type { ReplicaPrefixCache } from "./prefix-cache.ts";

/** Why a request's cached tokens fell short of what its conversation had sent (see README). */
export type CacheCause =
  | "none"
  | "cold"
  | "below_minimum"
  | "expired"
  | "evicted"
  | "other_replica"
  | "diverged"
  | "plateau"
  | "not_ready"
  | "other_model"
  | "spilled";

export const CACHE_CAUSES: readonly CacheCause[] = [
  "none",
  "cold",
  "below_minimum",
  "expired",
  "evicted",
  "other_replica",
  "diverged",
  "plateau",
  "not_ready",
  "other_model",
  "spilled",
];

/** The emulator's ground truth for one chat completion. */
export interface CacheTruth {
  /** Longest cacheable prefix of this prompt an earlier request of the conversation sent. */
  idealCachedTokens: number;
  cause: CacheCause;
  /** For `diverged`: `tools`, `system` or `history:<message index>`; otherwise null. */
  at: string | null;
}

/** The deepest prefix the model could read of the ideal, keyed as its cache holds it. */
export interface ReachablePrefix {
  tokens: number;
  key: string;
  /** The conversation's latest sending of it. */
  sending: Sending | null;
}

export interface CacheFacts {
  cachedTokens: number;
  shape: PromptShape;
  match: ConversationMatch;
  /** The ideal as far as reads reach (short of it at a plateau); null when nothing is. */
  reachable?: ReachablePrefix | null;
  /** Index of the replica that served the request; caches as they were before it stored. */
  serving: number;
  /** The replica the request was meant for, when it spilled to `serving` because that was full. */
  home?: number | null;
  /** The model whose cache is read, when caches are per model; null when all models share one. */
  model?: string | null;
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
    const reachable =
      facts.reachable === undefined
        ? { tokens: idealCachedTokens, key: match.ideal.key, sending: match.ideal.sending }
        : facts.reachable;
    // Everything reads can reach was served: the rest lies past the plateau.
    if (reachable === null || cachedTokens >= reachable.tokens) return truth("plateau");
    return truth(fateOfIdeal(facts, reachable));
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

/**
 * Where the ideal prefix went: not built yet on this replica; left on the full replica the
 * request spilled from; live on another replica; dropped here by TTL or capacity; sent only to
 * another model; else never here.
 */
function fateOfIdeal(facts: CacheFacts, reachable: ReachablePrefix): CacheCause {
  const { caches, serving, now } = facts;
  const { key } = reachable;
  const mine = caches[serving]?.status(key, now);
  if (mine === "pending") return "not_ready";
  const home = facts.home ?? null;
  if (home !== null && caches[home]?.status(key, now) === "live") return "spilled";
  const others = caches.filter((_, index) => index !== serving);
  if (others.some((cache) => cache.status(key, now) === "live")) return "other_replica";
  if (mine === "expired" || mine === "evicted") return mine;
  const sending = reachable.sending;
  const model = facts.model ?? null;
  if (model !== null && sending !== null && sending.model !== model) return "other_model";
  // Never on this replica: the copy the conversation last sent elsewhere is not live, so it
  // expired if that send is a TTL old, and otherwise only capacity can have dropped it.
  const lastSent = sending?.time ?? now;
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
  | "plateau"
  | "ttl_expired"
  | "not_ready"
  | "replica_switch"
  | "replica_unreported"
  | "prefix_system"
  | "prefix_tools"
  | "prefix_history"
  | "upstream"
  | "unknown";

export interface LedgerCauseOptions {
  /**
   * Whether the emulator named the serving replica (`upstreamHeader`, on by default as in the
   * emulator). Without it the ledger cannot tell a replica switch from a replica that lost the
   * prefix: both are `replica_unreported`, as against real TaaS.
   */
  upstreamHeader?: boolean;
}

/**
 * The ledger cause a correct ledger reports for this truth (the emulator never says unknown),
 * given a ledger that knows the models' geometry (a delayed cache's ready delay among it).
 */
export function ledgerCauseOf(
  truth: Pick<CacheTruth, "cause" | "at">,
  options: LedgerCauseOptions = {},
): LedgerCause {
  const named = options.upstreamHeader ?? true;
  switch (truth.cause) {
    case "expired":
      return "ttl_expired";
    // What the provider could not serve, named as such.
    case "plateau":
    case "not_ready":
      return truth.cause;
    // The same replica held the prefix and did not serve it.
    case "evicted":
      return named ? "upstream" : "replica_unreported";
    case "other_replica":
    case "spilled":
      return named ? "replica_switch" : "replica_unreported";
    // The new model's cache had never seen this conversation.
    case "other_model":
      return "cold";
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
