import type { CallDraft, RunOutputEvent, RunState } from "./call-tracker-types.ts";
import type { PriceLookup } from "./model-prices.ts";
import { runTrigger } from "./run-trigger.ts";
import { type CallCost, type HostCost, priceCall, readHostCost, usdToNano } from "./usage-cost.ts";
import { EMPTY_USAGE, type NormalizedUsage } from "./usage-normalize.ts";
import { millis, text, type UsageRecord } from "./usage-record.ts";

/**
 * Builds the rows the call tracker writes; pure apart from the injected price lookup. Calls are
 * priced by the model they asked for; the upstream route and, for an autorouted call, the model
 * TaaS routed it to (and its price) are filled in by the ledger's enrich step when a batch takes the row.
 */
interface RecordDeps {
  prices: PriceLookup;
}

const UNKNOWN_COST: CallCost = {
  costNano: null,
  costState: "unknown",
  costSource: null,
  savingNano: null,
};

function identity(run: RunState) {
  return {
    agentId: run.agentId,
    sessionKey: run.sessionKey,
    sessionId: run.sessionId,
    runId: run.runId,
    trigger: runTrigger(run.trigger, run.sessionKey),
  };
}

/** The row for one model call (its usage may be unknown when the host never showed it). */
export function callRecord(deps: RecordDeps, run: RunState, draft: CallDraft): UsageRecord {
  const usage = draft.usage ?? { ...EMPTY_USAGE };
  const hostCost = draft.usage ? readHostCost(draft.rawUsage) : {};
  const cost = draft.usage
    ? priceCall({
        usage,
        prices: deps.prices(draft.provider, draft.model),
        host: hostCost,
        hostPricedSameModel: true,
      })
    : UNKNOWN_COST;
  return {
    eventId: draft.eventId,
    ts: draft.startedAt,
    granularity: "call",
    calls: 1,
    ...identity(run),
    callId: draft.callId,
    provider: draft.provider,
    model: draft.model,
    routedModel: null,
    upstreamRoute: null,
    usage,
    ...cost,
    hostCost,
    latencyMs: draft.ended?.durationMs ?? null,
    ttfbMs: draft.ended?.ttfbMs ?? null,
    outcome: draft.ended?.outcome ?? (draft.usage ? "completed" : null),
    errorCategory: draft.ended?.errorCategory ?? null,
  };
}

/** The host's cost of a call, in nano-dollars (0 when it reported none). */
export function hostCostNano(rawUsage: unknown): number {
  const total = readHostCost(rawUsage).total;
  return total === undefined ? 0 : usdToNano(total);
}

/**
 * The row for what an attempt used beyond its call rows: `usage` is that remainder, `calls`
 * the model calls that could not be itemised. The host's cost is reduced by the itemised calls'
 * (its breakdown then no longer matches the remainder, so only the total is kept).
 */
export function runRecord(
  deps: RecordDeps,
  run: RunState,
  event: RunOutputEvent,
  calls: readonly CallDraft[],
  usage: NormalizedUsage,
  now: number,
): UsageRecord {
  const attempt = run.attempt - 1;
  const provider = text(event.provider);
  const model = text(event.model);
  const hostCost = remainderHostCost(readHostCost(event.usage), run.itemisedHostCostNano);
  const cost = priceCall({
    usage,
    prices: provider && model ? deps.prices(provider, model) : undefined,
    host: hostCost,
    hostPricedSameModel: true,
  });
  const failed = calls.find((d) => d.ended && d.ended.outcome !== "completed");
  const timed = calls.filter((d) => d.ended?.durationMs != null);
  const first = calls[0];
  return {
    eventId: attempt === 1 ? `run:${run.runId}` : `run:${run.runId}:a${attempt}`,
    ts: now,
    granularity: "run",
    calls: calls.length,
    ...identity(run),
    callId: null,
    provider,
    model,
    routedModel: null,
    upstreamRoute: null,
    usage,
    ...cost,
    hostCost,
    latencyMs:
      timed.length > 0
        ? millis(timed.reduce((sum, d) => sum + (d.ended?.durationMs ?? 0), 0))
        : millis(run.end?.durationMs),
    ttfbMs: first?.ended?.ttfbMs ?? null,
    outcome:
      failed?.ended?.outcome ?? (run.end && run.end.success === false ? "error" : "completed"),
    errorCategory: failed?.ended?.errorCategory ?? null,
  };
}

function remainderHostCost(host: HostCost, itemisedNano: number): HostCost {
  if (itemisedNano === 0 || host.total === undefined) return host;
  return { total: Math.max(0, host.total - itemisedNano / 1e9) };
}
