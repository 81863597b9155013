import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";

/**
 * Why a call's prompt was not read from cache, against what the conversation allowed. The
 * ceiling for a call is the prefix it shares with the previous call of the same affinity id
 * (the id the optimizer sent; the upstream keeps one conversation's prefix on one replica by
 * it), floored to the provider's cache step and 0 below its minimum.
 */
export const MISS_CAUSES = [
  "none",
  "cold",
  "below_minimum",
  "ttl_expired",
  "replica_switch",
  "prefix_tools",
  "prefix_system",
  "prefix_history",
  "upstream",
  "unknown",
] as const;
export type MissCause = (typeof MISS_CAUSES)[number];

export interface CacheGeometry {
  /** Prompts shorter than this are not cached at all. */
  minTokens: number;
  /** Cache hits come in multiples of this above the minimum. */
  stepTokens: number;
  /** A prefix idle longer than this is gone. */
  ttlMs: number;
}

/** What the ledger knows of one call when it accounts for the next. */
export interface CallObservation {
  /** The call's start, epoch ms. */
  ts: number;
  /** The whole prompt: uncached input + cache reads + cache writes. */
  promptTokens: number;
  cacheRead: number;
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
}

/** The longest prefix of `tokens` a cache can hold: 0 below the minimum, else on the step grid. */
export function cacheableTokens(tokens: number, geometry: CacheGeometry): number {
  if (tokens < geometry.minTokens || tokens <= 0) return 0;
  const step = Math.max(1, geometry.stepTokens);
  return geometry.minTokens + Math.floor((tokens - geometry.minTokens) / step) * step;
}

const UNKNOWN: CacheAccounting = {
  expected: null,
  missed: null,
  invalidated: null,
  cause: "unknown",
  divergedAt: null,
};

/**
 * Accounts for one call against the previous call of its affinity id. The order of the causes
 * follows what an operator can act on: tokens missed although the prefix was there are blamed
 * on idle time, then on a change of replica, then on the upstream itself; a call that lost
 * nothing against its ceiling but whose ceiling fell because the prompt changed names where it
 * changed; a conversation too short to cache says so.
 */
export function accountCall(
  current: CallObservation,
  previous: CallObservation | undefined,
  geometry: CacheGeometry,
): CacheAccounting {
  if (!current.prefix) return UNKNOWN;
  if (!previous) {
    return { expected: 0, missed: 0, invalidated: 0, cause: "cold", divergedAt: null };
  }
  if (!previous.prefix) return UNKNOWN;
  const shared = sharedPrefix(previous.prefix, current.prefix);
  const reachable = Math.min(previous.promptTokens, current.promptTokens);
  const sharedTokens = shared.whole
    ? reachable
    : Math.min(reachable, Math.floor((previous.promptTokens * shared.chars) / shared.ofChars));
  const ceiling = cacheableTokens(reachable, geometry);
  const estimated = cacheableTokens(sharedTokens, geometry);
  // Where the prompt changed mid-way, its shared length is estimated from the characters before
  // the change, and token density differs between tool schemas, prose and JSON: a read within
  // the estimate's margin is taken as all the call could read, not as a miss.
  const margin = Math.max(2 * geometry.stepTokens, Math.round(0.05 * sharedTokens));
  const expected =
    !shared.whole && current.cacheRead > 0 && estimated - current.cacheRead <= margin
      ? Math.min(estimated, current.cacheRead)
      : estimated;
  const missed = Math.max(0, expected - current.cacheRead);
  const invalidated = Math.max(0, ceiling - expected);
  const result = (cause: MissCause, divergedAt: number | null = null): CacheAccounting => ({
    expected,
    missed,
    invalidated,
    cause,
    divergedAt,
  });
  if (missed > 0) {
    // A clock that stepped back reads as no gap at all, not as a negative one.
    const gap = Math.max(0, current.ts - previous.ts);
    if (gap >= geometry.ttlMs) return result("ttl_expired");
    if (current.upstream && previous.upstream && current.upstream !== previous.upstream) {
      return result("replica_switch");
    }
    return result("upstream");
  }
  if (invalidated > 0)
    return result(shared.where, shared.where === "prefix_history" ? shared.message : null);
  if (ceiling === 0 && current.cacheRead === 0) return result("below_minimum");
  return result("none");
}

interface SharedPrefix {
  /** Every segment of the previous prompt is where it was. */
  whole: boolean;
  /** Characters of the previous prompt before the first difference, of `ofChars`. */
  chars: number;
  ofChars: number;
  where: "prefix_tools" | "prefix_system" | "prefix_history";
  /** Index of the first differing message (after the tools). */
  message: number;
}

function sharedPrefix(previous: PromptPrefix, current: PromptPrefix): SharedPrefix {
  const before = previous.segments;
  const after = current.segments;
  let index = 0;
  let chars = 0;
  while (
    index < before.length &&
    index < after.length &&
    before[index]?.[0] === after[index]?.[0]
  ) {
    chars += before[index]?.[1] ?? 0;
    index++;
  }
  const ofChars = Math.max(
    1,
    before.reduce((sum, [, length]) => sum + length, 0),
  );
  // A prompt kept only in part (very long conversations) counts as whole when the kept part is.
  const whole = index === before.length;
  const tools = Math.min(previous.tools, current.tools);
  const message = index - Math.max(previous.tools, current.tools);
  const where =
    index < tools || previous.tools !== current.tools
      ? "prefix_tools"
      : message < Math.max(previous.system, current.system)
        ? "prefix_system"
        : "prefix_history";
  return { whole, chars, ofChars, where, message: Math.max(0, message) };
}
