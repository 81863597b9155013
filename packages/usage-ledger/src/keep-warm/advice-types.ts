/**
 * The keep-warm advice's shape, read alike by the CLI, the gateway method and the Token cache
 * page (which bundles this file and `advice-text.ts`, so neither imports Node). Money is integer
 * nano-USD; null where a price it needs is unknown, never 0.
 */

export interface KeepWarmGroup {
  agent: string | null;
  provider: string | null;
  model: string | null;
  /** The cache lifetime the ledger assumes for this model (cacheTtlSeconds, cacheGeometry). */
  ttlSeconds: number;
  /** When a ping would go out after the last call: the TTL less the pinger's margin. */
  pingAfterSeconds: number;
  /** Idle gaps between consecutive calls of one affinity id. */
  gaps: number;
  medianGapSeconds: number | null;
  p90GapSeconds: number | null;
  /** Gaps by length in TTLs: up to 1 (still warm), 2, 4, and longer (null). */
  histogram: Array<{ upToTtls: number | null; gaps: number }>;
  /** Calls that missed because the cache expired, and what their misses cost beyond a read. */
  ttlExpired: { calls: number; tokens: number; costNano: number | null; unpricedCalls: number };
  /** A first ping's mean cost, and what a warm return saves (null: a price unknown or no gap). */
  pingCostNano: number | null;
  warmSavingNano: number | null;
  /** P(return within the lifetime ping i buys | still idle when it goes out), ping by ping. */
  returnChance: Array<number | null>;
  basis: "pays" | "does_not_pay" | "no_history" | "unknown_price";
  /** Pings per gap that pay, 0 when none does. */
  pingsPerGap: number;
  /** What those pings would have netted per day over this history (null: a price unknown). */
  expectedNetPerDayNano: number | null;
  /** The pings the ledger holds (trigger keepwarm) and what the warm returns after them saved. */
  pings: {
    count: number;
    costNano: number | null;
    warmReturns: number;
    savedNano: number | null;
    netNano: number | null;
    /** Pinged gaps whose ping or return had no price. */
    unpriced: number;
  };
}

export interface KeepWarmAdvice {
  /** Most ttl_expired tokens first. */
  groups: KeepWarmGroup[];
}

/** The range an advice covers, as the report resolves it (epoch ms). */
export interface KeepWarmRange {
  since: number;
  until: number;
}

export type KeepWarmAnswer = KeepWarmAdvice & KeepWarmRange;

/** The gateway method that answers a KeepWarmAnswer (the page asks it; the CLI prints the same). */
export const KEEP_WARM_METHOD = "usage-ledger.keepWarm";
