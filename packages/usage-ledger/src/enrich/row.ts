import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import type { PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import { type CallRoute, routedPricing } from "@cloudsigma/taas-core/usage/routed-pricing";
import { storableNano } from "@cloudsigma/taas-core/usage/usage-cost";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import { accountCall, type CacheAccounting, type CallObservation } from "../cache/accounting.ts";
import type { GeometryLookup } from "../cache/geometry.ts";
import type { CacheColumns, LedgerRow } from "../store/columns.ts";

/**
 * The enrich step: what the call tracker recorded, plus what was learnt after the call (where
 * TaaS routed it, what it cost at the prices known now, what it could have read from cache),
 * becomes the row the ledger stores. A pure function of the record and its context, returning
 * a new row: the context is read before (`enricher.ts`), the row is stored after (`writer.ts`).
 */
export interface RowContext {
  /** The optimizer's capture of the call; undefined without one (or for a run row). */
  route: CallRoute | undefined;
  prices: PriceLookup;
  /** Without it the ledger keeps no cache accounting: the row's cache columns stay as given. */
  cache?: CacheContext | undefined;
}

export interface CacheContext {
  geometry: GeometryLookup;
  /** The call's prompt digests (only read for a call with an affinity id). */
  prefix: PromptPrefix | undefined;
  /** The previous call of the same affinity id, with its digests, if one is known. */
  previous: CallObservation | undefined;
  /**
   * The plateau learned so far for the model that served a call (the routed model of an
   * autorouted one, as the geometry is looked up), if any.
   */
  learnedPlateau?: (row: LedgerRow) => number | undefined;
}

const NOT_ACCOUNTED = {
  expected: null,
  missed: null,
  invalidated: null,
  cause: null,
  divergedAt: null,
} as const;

export function enrichRow(record: LedgerRow, context: RowContext): LedgerRow {
  const row: LedgerRow = { ...record, ...routedPricing(record, context.route, context.prices) };
  if (!context.cache) return row;
  return {
    ...row,
    cache: {
      ...cacheColumns(row, context.route?.affinityId, context.cache, context.prices),
      affinityShard: context.route?.affinityShard ?? null,
    },
  };
}

/**
 * A model call with known usage and a prompt is compared with the previous call of its
 * affinity id; run rows and calls without usage get no cause.
 */
export function isAccountable(record: UsageRecord): record is UsageRecord & { callId: string } {
  return (
    record.granularity === "call" &&
    record.callId !== null &&
    record.usage.known &&
    promptOf(record) > 0
  );
}

/** How the next call of the same affinity id sees this one. */
export function callObservation(
  row: UsageRecord,
  prefix: PromptPrefix | undefined,
): CallObservation {
  return {
    ts: row.ts,
    promptTokens: promptOf(row),
    cacheRead: row.usage.cacheRead,
    cacheWrite: row.usage.cacheWrite,
    upstream: row.upstreamRoute ?? undefined,
    prefix,
  };
}

function cacheColumns(
  row: LedgerRow,
  affinityId: string | undefined,
  context: CacheContext,
  prices: PriceLookup,
): CacheColumns {
  if (!isAccountable(row)) return { affinityId: affinityId ?? null, ...NOT_ACCOUNTED };
  const model = row.routedModel ?? row.model;
  const known = context.learnedPlateau?.(row);
  const { learnedPlateau, ...accounting } = accountCall(
    callObservation(row, affinityId ? context.prefix : undefined),
    affinityId ? context.previous : undefined,
    context.geometry(row.provider, model),
    known,
  );
  return {
    affinityId: affinityId ?? null,
    ...accounting,
    missedCostNano: missedCostNano(row, accounting.missed, prices),
    // Only a change is noted, for the ledger file to keep (store/plateaus.ts).
    ...(learnedPlateau === known ? {} : { learnedPlateau: learnedPlateau ?? null }),
  };
}

/**
 * A missed token was billed as uncached input instead of a cache read: it cost the difference,
 * known only when both prices are (USD per million tokens = 1,000 nano-USD per token). A new
 * row is priced here, and so is a row `usage-ledger reprice` prices later.
 */
export function missedCostNano(
  row: Pick<LedgerRow, "provider" | "model" | "routedModel">,
  missed: CacheAccounting["missed"],
  prices: PriceLookup,
): number | null {
  return storable(missedCost(row, missed, prices));
}

function missedCost(
  row: Pick<LedgerRow, "provider" | "model" | "routedModel">,
  missed: CacheAccounting["missed"],
  prices: PriceLookup,
) {
  if (missed === null) return null;
  if (missed === 0) return 0;
  const model = row.routedModel ?? row.model;
  const price = row.provider && model ? prices(row.provider, model) : undefined;
  if (price?.input === undefined || price.cacheRead === undefined) return null;
  return Math.max(0, Math.round(missed * (price.input - price.cacheRead) * 1000));
}

const promptOf = (record: UsageRecord): number =>
  record.usage.input + record.usage.cacheRead + record.usage.cacheWrite;

/** A missed cost the ledger can hold exactly, else unknown (as priceCall does for the cost). */
const storable = (nano: number | null): number | null =>
  nano === null ? null : storableNano(nano);
