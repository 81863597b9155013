import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import { type CacheGeometry, cacheableTokens } from "./geometry.ts";
import { plateauFor } from "./plateau.ts";
import { sharedPrefix } from "./shared-prefix.ts";

/**
 * Why a call's prompt was not read from cache, against what the conversation allowed. The
 * ceiling for a call is the prefix it shares with the previous call of the same affinity id
 * (the id the optimizer sent; the upstream keeps one conversation's prefix on one replica by
 * it), floored to the provider's cache step, 0 below its minimum and no higher than where the
 * provider's reads stop (its plateau).
 */
export const MISS_CAUSES = [
  "none",
  "cold",
  "below_minimum",
  "plateau",
  "ttl_expired",
  "not_ready",
  "replica_switch",
  "replica_unreported",
  "prefix_tools",
  "prefix_system",
  "prefix_history",
  "upstream",
  "unknown",
] as const;
export type MissCause = (typeof MISS_CAUSES)[number];

/**
 * What the provider's cache could not serve, whatever the operator does: its reads stop at a
 * plateau, or a prefix is not readable yet. The warm-miss line stays quiet about them.
 */
export const PROVIDER_CAUSES: ReadonlySet<MissCause> = new Set(["plateau", "not_ready"]);

/** What the ledger knows of one call when it accounts for the next. */
export interface CallObservation {
  /** The call's start, epoch ms. */
  ts: number;
  /** The whole prompt: uncached input + cache reads + cache writes. */
  promptTokens: number;
  cacheRead: number;
  /** Cache writes, for providers that report them (Anthropic's cache_creation_input_tokens). */
  cacheWrite: number;
  /** The replica that served it, when the upstream said. */
  upstream: string | undefined;
  /** Its prompt's digests, from the optimizer; undefined without the optimizer. */
  prefix: PromptPrefix | undefined;
}

export interface CacheAccounting {
  /** Tokens the call could have read from cache; null when it cannot be known. */
  expected: number | null;
  /** expected - read, never below 0; null with expected. */
  missed: number | null;
  /** Tokens the previous call had cached that a change of the prompt made unreadable. */
  invalidated: number | null;
  cause: MissCause;
  /** For `prefix_history`: the index of the first message that differed. */
  divergedAt: number | null;
  /** Shared prefix past where the provider's reads stop: neither expected nor lost. */
  beyondPlateau: number | null;
  /** The model's learned plateau after this call (what `plateau.ts` learned); not a column. */
  learnedPlateau: number | undefined;
}

/**
 * Accounts for one call against the previous call of its affinity id. Tokens missed although
 * the prefix was there are blamed on what the call's context shows first: idle time past the
 * TTL, another replica, a prefix the provider had not finished caching; then, as nothing in the
 * context explains them, on the provider: with no replica header TaaS does not say whether the
 * replica changed, otherwise the same replica lost it. A call that read up to where its
 * provider's reads stop missed nothing (`plateau`); a call that lost nothing against its
 * ceiling but whose ceiling fell because the prompt changed names where it changed; a
 * conversation too short to cache says so. `learned` is the model's learned plateau, if any.
 */
export function accountCall(
  current: CallObservation,
  previous: CallObservation | undefined,
  geometry: CacheGeometry,
  learned?: number,
): CacheAccounting {
  if (!current.prefix) return unknown(learned);
  if (!previous) {
    return {
      expected: 0,
      missed: 0,
      invalidated: 0,
      cause: "cold",
      divergedAt: null,
      beyondPlateau: 0,
      learnedPlateau: learned,
    };
  }
  if (!previous.prefix) return unknown(learned);
  const shared = sharedPrefix(previous.prefix, current.prefix);
  const reachable = Math.min(
    previous.promptTokens,
    current.promptTokens,
    heldBy(current, previous),
  );
  const sharedTokens = shared.whole
    ? reachable
    : Math.min(reachable, Math.floor((previous.promptTokens * shared.chars) / shared.ofChars));
  const ceiling = cacheableTokens(reachable, geometry);
  const estimated = cacheableTokens(sharedTokens, geometry);
  // Where the prompt changed mid-way, its shared length is estimated from the characters before
  // the change, and token density differs between tool schemas, prose and JSON: a read within
  // the estimate's margin is taken as all the call could read, not as a miss.
  const margin = Math.max(2 * geometry.stepTokens, Math.round(0.05 * sharedTokens));
  const read = current.cacheRead;
  const possible =
    !shared.whole && read > 0 && estimated - read <= margin ? Math.min(estimated, read) : estimated;
  const context = contextCause(current, previous, geometry);
  const plateau = plateauFor({
    geometry,
    learned,
    read,
    shared: possible,
    explained: context !== null,
  });
  const cap = plateau.cap ?? Number.POSITIVE_INFINITY;
  const expected = Math.min(possible, cap);
  const missed = Math.max(0, expected - read);
  const invalidated = Math.max(0, Math.min(ceiling, cap) - expected);
  const result = (cause: MissCause, divergedAt: number | null = null): CacheAccounting => ({
    expected,
    missed,
    invalidated,
    cause,
    divergedAt,
    beyondPlateau: possible - expected,
    learnedPlateau: plateau.learned,
  });
  if (missed > 0) {
    if (context) return result(context);
    return result(current.upstream && previous.upstream ? "upstream" : "replica_unreported");
  }
  if (possible > expected) return result("plateau");
  if (invalidated > 0)
    return result(shared.where, shared.where === "prefix_history" ? shared.message : null);
  if (ceiling === 0 && read === 0) return result("below_minimum");
  return result("none");
}

const unknown = (learned: number | undefined): CacheAccounting => ({
  expected: null,
  missed: null,
  invalidated: null,
  cause: "unknown",
  divergedAt: null,
  beyondPlateau: null,
  learnedPlateau: learned,
});

/**
 * What the call's context says of a short read, before the provider is blamed: the prefix
 * idled past the TTL; another replica served it (when the upstream names its replicas); the
 * previous call was so recent that what it first sent was not readable yet (a delayed cache).
 */
function contextCause(
  current: CallObservation,
  previous: CallObservation,
  geometry: CacheGeometry,
): MissCause | null {
  // A clock that stepped back reads as no gap at all, not as a negative one.
  const gap = Math.max(0, current.ts - previous.ts);
  if (gap >= geometry.ttlMs) return "ttl_expired";
  if (current.upstream && previous.upstream && current.upstream !== previous.upstream) {
    return "replica_switch";
  }
  if (gap < geometry.readyDelayMs) return "not_ready";
  return null;
}

/**
 * A provider that reports cache writes (Anthropic) says what it holds after each call: what
 * the call read plus what it wrote. The next call can read no more of the previous prompt than
 * that, so a prompt the provider did not cache (under a model's own minimum, 4,096 tokens for
 * some Claude models) is not expected to be read, and its write is never counted as missed.
 */
function heldBy(current: CallObservation, previous: CallObservation): number {
  const reportsWrites = current.cacheWrite > 0 || previous.cacheWrite > 0;
  return reportsWrites ? previous.cacheRead + previous.cacheWrite : Number.POSITIVE_INFINITY;
}
