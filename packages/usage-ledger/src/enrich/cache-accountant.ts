import type { DatabaseSync } from "node:sqlite";
import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import type { PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import { storableNano } from "@cloudsigma/taas-core/usage/usage-cost";
import type { CacheAccounting } from "../cache/accounting.ts";
import type { GeometryLookup } from "../cache/geometry.ts";
import { CacheHistory, type StoredCall } from "../cache/history.ts";
import type { LedgerRow } from "../store/columns.ts";

export interface CacheAccountantOptions {
  /** The optimizer's prompt digests of a call (the route-store seam, read side). */
  prefixOf: (callId: string) => PromptPrefix | undefined;
  geometry: GeometryLookup;
  /** The prices rows are priced with, to say what the missed tokens cost. */
  prices?: PriceLookup;
  /** Told about every accounted call (the warm-miss log line). */
  onAccounted?: (row: LedgerRow, accounting: CacheAccounting) => void;
}

const PREVIOUS_CALL = `SELECT call_id, ts, input + cache_read + cache_write AS prompt, cache_read,
  upstream_route FROM usage_rows
  WHERE affinity_id = ? AND ts < ? AND granularity = 'call' AND usage_known = 1
  ORDER BY ts DESC LIMIT 1`;

const NOT_ACCOUNTED = {
  expected: null,
  missed: null,
  invalidated: null,
  cause: null,
  divergedAt: null,
} as const;

/**
 * Fills a row's cache accounting in the writer's batch (off the turn's path), once its route
 * and routed model are known: the call against the previous call of its affinity id. Run
 * rows, calls without usage and calls the optimizer did not capture get no cause. A missing or
 * unreadable route store only means an `unknown` cause.
 */
export class CacheAccountant {
  readonly #options: CacheAccountantOptions;
  readonly #history: CacheHistory;
  #db: DatabaseSync | undefined;

  constructor(options: CacheAccountantOptions) {
    this.#options = options;
    this.#history = new CacheHistory({
      geometry: options.geometry,
      prefixOf: (callId) => quietly(() => options.prefixOf(callId)),
      // A read that fails only costs this call its previous one: accounting never stops a row.
      storedBefore: (affinityId, ts) => {
        const db = this.#db;
        return db ? quietly(() => storedCall(db, affinityId, ts)) : undefined;
      },
    });
  }

  account(row: LedgerRow, affinityId: string | undefined, db: DatabaseSync): void {
    const prompt = row.usage.input + row.usage.cacheRead + row.usage.cacheWrite;
    const accountable =
      row.granularity === "call" && row.callId !== null && row.usage.known && prompt > 0;
    if (!accountable) {
      row.cache = { affinityId: affinityId ?? null, ...NOT_ACCOUNTED };
      return;
    }
    this.#db = db;
    const accounting = this.#history.account({
      callId: row.callId ?? "",
      ts: row.ts,
      provider: row.provider,
      model: row.routedModel ?? row.model,
      promptTokens: prompt,
      cacheRead: row.usage.cacheRead,
      affinityId,
      upstream: row.upstreamRoute ?? undefined,
    });
    row.cache = {
      affinityId: affinityId ?? null,
      ...accounting,
      missedCostNano: missedCost(row, accounting.missed, this.#options.prices),
    };
    this.#options.onAccounted?.(row, accounting);
  }
}

/**
 * A missed token was billed as uncached input instead of a cache read: it cost the difference,
 * known only when both prices are (USD per million tokens = 1,000 nano-USD per token).
 */
function missedCost(row: LedgerRow, missed: number | null, prices: PriceLookup | undefined) {
  if (missed === null) return null;
  if (missed === 0) return 0;
  const model = row.routedModel ?? row.model;
  const price = row.provider && model ? prices?.(row.provider, model) : undefined;
  if (price?.input === undefined || price.cacheRead === undefined) return null;
  // A gateway's absurd token count can take this past what the row holds: then it is unknown.
  return storableNano(Math.max(0, Math.round(missed * (price.input - price.cacheRead) * 1000)));
}

function storedCall(db: DatabaseSync, affinityId: string, ts: number): StoredCall | undefined {
  const row = db.prepare(PREVIOUS_CALL).get(affinityId, ts);
  if (!row || typeof row.call_id !== "string") return undefined;
  return {
    callId: row.call_id,
    ts: Number(row.ts),
    promptTokens: Number(row.prompt),
    cacheRead: Number(row.cache_read),
    upstream: typeof row.upstream_route === "string" ? row.upstream_route : undefined,
  };
}

function quietly<T>(read: () => T | undefined): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
