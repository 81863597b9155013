import type { DatabaseSync } from "node:sqlite";
import type { PromptPrefix, RouteCapture } from "@cloudsigma/taas-core/route-store";
import type { CacheAccounting } from "./cache-accounting.ts";
import type { GeometryLookup } from "./cache-geometry.ts";
import { CacheHistory, type StoredCall } from "./cache-history.ts";
import type { LedgerRow } from "./ledger-schema.ts";

/** What the ledger reads from the optimizer's route store (the route-store seam, read side). */
export interface RouteSeam {
  capture(callId: string): RouteCapture | undefined;
  prefix(callId: string): PromptPrefix | undefined;
}

export type RowEnricher = (batch: readonly LedgerRow[], db: DatabaseSync) => void;

export interface EnrichmentOptions {
  routes: RouteSeam;
  geometry: GeometryLookup;
  /** Told about every accounted call (the warm-miss log line). */
  onAccounted?: (row: LedgerRow, accounting: CacheAccounting) => void;
}

const PREVIOUS_CALL = `SELECT call_id, ts, input + cache_read + cache_write AS prompt, cache_read,
  upstream_route FROM usage_rows
  WHERE affinity_id = ? AND ts < ? AND granularity = 'call' AND usage_known = 1
  ORDER BY ts DESC LIMIT 1`;

/**
 * Fills what a row can only know once its call is over, in the writer's batch (off the turn's
 * path): the upstream and affinity id the optimizer captured, then the call's cache accounting
 * against the previous call of that id. Each row is enriched once, so a batch retried after a
 * disk fault is not accounted twice. A missing or unreadable route store only means rows
 * without a route and with an `unknown` cause.
 */
export function rowEnricher(options: EnrichmentOptions): RowEnricher {
  let db: DatabaseSync | undefined;
  const history = new CacheHistory({
    geometry: options.geometry,
    prefixOf: (callId) => quietly(() => options.routes.prefix(callId)),
    storedBefore: (affinityId, ts) => (db ? storedCall(db, affinityId, ts) : undefined),
  });
  return (batch, current) => {
    db = current;
    for (const row of batch) {
      if (row.cache !== undefined) continue;
      const capture =
        row.callId === null ? undefined : quietly(() => options.routes.capture(row.callId ?? ""));
      if (row.upstreamRoute === null) row.upstreamRoute = capture?.upstream ?? null;
      const { usage } = row;
      const accountable =
        row.granularity === "call" && row.callId !== null && usage.known && promptOf(row) > 0;
      if (!accountable) {
        row.cache = {
          affinityId: capture?.sessionId ?? null,
          expected: null,
          missed: null,
          invalidated: null,
          cause: null,
          divergedAt: null,
        };
        continue;
      }
      const accounting = history.account({
        callId: row.callId ?? "",
        ts: row.ts,
        provider: row.provider,
        model: capture?.autorouterModel ?? row.model,
        promptTokens: promptOf(row),
        cacheRead: usage.cacheRead,
        affinityId: capture?.sessionId,
        upstream: row.upstreamRoute ?? undefined,
      });
      row.cache = { affinityId: capture?.sessionId ?? null, ...accounting };
      options.onAccounted?.(row, accounting);
    }
  };
}

const promptOf = (row: LedgerRow): number =>
  row.usage.input + row.usage.cacheRead + row.usage.cacheWrite;

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
