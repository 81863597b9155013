import type { DatabaseSync } from "node:sqlite";
import { inTransaction } from "@cloudsigma/taas-core/sqlite";
import type { CostState } from "@cloudsigma/taas-core/usage/usage-cost";
import { planReprice, pricedModelOf, type RepricePrices, type StoredRow } from "./plan.ts";

/**
 * Reprices the ledger's rows in a range, a chunk of rows per IMMEDIATE transaction: the
 * gateway's writer may be writing at the same moment, and waits (its busy timeout) for at most
 * one short chunk; it never loses a row, and every change a chunk makes to a row and to the
 * rollups (their update trigger, `store/rollup.ts`) commits or rolls back together.
 */

const CHUNK = 2_000;

export interface RepriceScope {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, exclusive. */
  until: number;
  /** Only rows of this model (its id, or provider/id), requested or routed to. */
  model?: string;
}

/** One row's change, as the summary reports it. */
export interface RowChange {
  /** provider/model the row is priced by (`provider/auto -> routed` for an autorouted call). */
  model: string;
  from: CostState;
  to: CostState;
  /** What the row's cost rose by (nano-USD; an unknown cost was nothing). */
  addedNano: number;
  missedCostAddedNano: number;
  /** The row's missed tokens got the cost they lacked. */
  missedCostPriced: boolean;
  source: string;
}

export interface RepriceResult {
  examined: number;
  changes: RowChange[];
  /** Rows still not fully priced: their model, state and why. */
  unpriced: Array<{ model: string; state: CostState; reason: string }>;
}

const SELECT = `SELECT id, ts, granularity, calls, provider, model, routed_model, upstream_route,
  input, output, cache_read, cache_write, total, usage_known, cost_nusd, cost_state, cost_source,
  saving_nusd, missed_tokens, missed_cost_nusd
FROM usage_rows
WHERE id > ? AND ts >= ? AND ts < ? AND cost_state <> 'known'
  AND (? IS NULL OR ? IN (model, routed_model, provider || '/' || model, provider || '/' || routed_model))
ORDER BY id LIMIT ${CHUNK}`;

// The state is checked again: only a row still as it was read is changed.
const UPDATE = `UPDATE usage_rows SET cost_nusd = ?, cost_state = ?, cost_source = ?,
  saving_nusd = ?, missed_cost_nusd = ?, repriced_at = ?, repriced_from = ?
WHERE id = ? AND cost_state = ?`;

const labelOf = (row: StoredRow): string => {
  const provider = row.provider ?? "?";
  if (row.routed_model && row.routed_model !== row.model) {
    return `${provider}/${row.model ?? "?"} -> ${row.routed_model}`;
  }
  return `${provider}/${pricedModelOf(row) ?? "?"}`;
};

/**
 * Prices what can be priced now. `dryRun` reads and plans the same and writes nothing (the
 * connection may then be read-only).
 */
export function repriceLedger(
  db: DatabaseSync,
  scope: RepriceScope,
  prices: RepricePrices,
  options: { dryRun: boolean; now: number },
): RepriceResult {
  const result: RepriceResult = { examined: 0, changes: [], unpriced: [] };
  const select = db.prepare(SELECT);
  const update = options.dryRun ? undefined : db.prepare(UPDATE);
  const model = scope.model ?? null;
  let after = 0;
  const chunk = (): boolean => {
    const rows = select.all(
      after,
      scope.since,
      scope.until,
      model,
      model,
    ) as unknown as StoredRow[];
    for (const row of rows) {
      after = row.id;
      result.examined += 1;
      const plan = planReprice(row, prices);
      const label = labelOf(row);
      if (plan.unpricedBecause) {
        const state = plan.repricing?.costState ?? row.cost_state;
        result.unpriced.push({ model: label, state, reason: plan.unpricedBecause });
      }
      const next = plan.repricing;
      if (!next) continue;
      update?.run(
        next.costNano,
        next.costState,
        next.costSource,
        next.savingNano,
        next.missedCostNano,
        options.now,
        next.source,
        row.id,
        row.cost_state,
      );
      result.changes.push({
        model: label,
        from: row.cost_state,
        to: next.costState,
        addedNano: (next.costNano ?? 0) - (row.cost_nusd ?? 0),
        missedCostAddedNano: (next.missedCostNano ?? 0) - (row.missed_cost_nusd ?? 0),
        missedCostPriced: row.missed_cost_nusd === null && next.missedCostNano !== null,
        source: next.source,
      });
    }
    return rows.length === CHUNK;
  };
  if (options.dryRun) {
    while (chunk());
  } else {
    while (inTransaction(db, chunk));
  }
  return result;
}
