import type { CostSource, CostState, HostCost } from "./usage-cost.ts";
import type { NormalizedUsage } from "./usage-normalize.ts";

/**
 * One ledger row: a single model call ("call") when the host exposed that call's usage, or
 * what an agent run used beyond its itemised calls ("run"), e.g. for harnesses that report
 * usage only per run. Both plugins (the SQLite ledger and the JSONL audit) write these.
 */
type Granularity = "call" | "run";

export interface UsageRecord {
  /** Deterministic from the host's ids: a replayed event maps to the same id, and is ignored. */
  eventId: string;
  /** Epoch ms: the call's start (call rows) or the run's output (run rows). */
  ts: number;
  granularity: Granularity;
  /** Model calls this row stands for: 1 for a call row; the un-itemised calls for a run row. */
  calls: number;
  agentId: string | null;
  sessionKey: string | null;
  sessionId: string | null;
  runId: string | null;
  callId: string | null;
  /** user / cron / heartbeat / ... as the host reported it; "subagent" for subagent sessions. */
  trigger: string | null;
  provider: string | null;
  /** The model the call asked for, as the host reported it (e.g. `auto`). */
  model: string | null;
  /**
   * The model TaaS routed an autorouted call to, which is the model it is billed and priced by:
   * filled by the ledger's enrich step from the optimizer's route store. Null when not autorouted or
   * not captured.
   */
  routedModel: string | null;
  /** Where TaaS routed the call: filled by the ledger's enrich step from the optimizer's route store. */
  upstreamRoute: string | null;
  usage: NormalizedUsage;
  /** Null when unknown; for a partial cost, what the priced token kinds cost. */
  costNano: number | null;
  costState: CostState;
  costSource: CostSource | null;
  /**
   * What the host said the call (or the run's remainder) cost, kept so a writer that learns
   * more at write time (the routed model, a gateway's listed prices) can price the row again.
   */
  hostCost: HostCost;
  savingNano: number | null;
  latencyMs: number | null;
  ttfbMs: number | null;
  outcome: string | null;
  errorCategory: string | null;
}

/**
 * A non-negative integer millisecond value from a host field, else null. One a ledger row
 * cannot hold exactly (past 2^53: a duration of 1e308 made SQLite refuse the row) is null too.
 */
export function millis(value: unknown): number | null {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return null;
  const rounded = Math.round(value);
  return Number.isSafeInteger(rounded) ? rounded : null;
}

/** A trimmed, bounded string from a host field, else null. */
export function text(value: unknown, max = 512): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed ? trimmed.slice(0, max) : null;
}
