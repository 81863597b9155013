import type { LifetimeProbe } from "./lifetime.ts";

/** How often reads of one id came back from cache. */
export interface IdentityReads {
  hits: number;
  reads: number;
}

/** What the probe measured of one model at one endpoint. */
export interface ModelProbe {
  model: string;
  /** Whether a repeated prefix was read back from cache at all (within the ready bound). */
  cached: boolean;
  /** Shortest prompt the endpoint caches; null when nothing was cached. */
  minTokens: number | null;
  /** Cache reads come in multiples of this above the minimum; null when not seen. */
  stepTokens: number | null;
  /** Where reads of a long stable prefix stopped; null when none was seen up to the prefix. */
  plateauTokens: number | null;
  /** Tokens of the long prefix the plateau was looked for in. */
  longestPrefixTokens: number;
  /** Readable after more than `overMs` and at most `atMostMs` (0, 0: at once; null: never seen). */
  readyDelay: { overMs: number; atMostMs: number | null };
  /** Whether answers report cache writes (Anthropic-style `cache_creation_input_tokens`). */
  reportsWrites: boolean;
  /** TaaS's identity rule as observed; null when nothing was cached to observe it with. */
  identity: { withAgent: IdentityReads; withoutAgent: IdentityReads } | null;
  lifetime?: LifetimeProbe;
  /** TaaS response header names that came back (values are not kept). */
  headers: string[];
}

/** An id keeps its conversation on its cache when every read came back from cache. */
export const keeps = (reads: IdentityReads): boolean =>
  reads.reads > 0 && reads.hits === reads.reads;
