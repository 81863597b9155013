import {
  type AssistantWriteContext,
  type CallDraft,
  type ModelCallEndedEvent,
  type ModelCallEvent,
  newRun,
  type RunContext,
  type RunEndEvent,
  type RunOutputEvent,
  type RunState,
} from "./call-tracker-types.ts";
import type { PriceLookup } from "./model-prices.ts";
import { callRecord, hostCostNano, runRecord } from "./tracked-records.ts";
import {
  addUsage,
  EMPTY_USAGE,
  hasTokens,
  normalizeUsage,
  subtractUsage,
} from "./usage-normalize.ts";
import { millis, text, type UsageRecord } from "./usage-record.ts";

export interface CallTrackerOptions {
  emit: (record: UsageRecord) => void;
  prices: PriceLookup;
  now?: () => number;
  /** A call that ended but whose usage never arrived is written after this long (ms). */
  usageGraceMs?: number;
  /** A call that never ended is written after this long (ms). */
  openCallTimeoutMs?: number;
}

/**
 * Turns the host's hook events into usage rows. Per call, `model_call_started/ended` give ids
 * and timing and the assistant message the host writes right after (`before_message_write`,
 * carrying `message.usage`) gives that call's tokens: paired per session in call order. Per
 * run, `llm_output` gives the attempt's summed usage; whatever it holds beyond the itemised
 * calls (or all of it, when no call could be itemised) becomes one "run" row, so the ledger
 * always adds up to the host's own total.
 */
export class CallTracker {
  private readonly runs = new Map<string, RunState>();
  private readonly pending = new Map<string, CallDraft[]>();
  private readonly options: CallTrackerOptions;
  private readonly now: () => number;
  private readonly usageGraceMs: number;
  private readonly openCallTimeoutMs: number;

  constructor(options: CallTrackerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.usageGraceMs = options.usageGraceMs ?? 30_000;
    this.openCallTimeoutMs = options.openCallTimeoutMs ?? 15 * 60_000;
  }

  runContext(ctx: RunContext): void {
    if (!ctx.runId) return;
    const run = this.run(ctx.runId);
    run.agentId = text(ctx.agentId) ?? run.agentId;
    run.trigger = text(ctx.trigger) ?? run.trigger;
    run.sessionKey = text(ctx.sessionKey) ?? run.sessionKey;
    run.sessionId = text(ctx.sessionId) ?? run.sessionId;
  }

  callStarted(event: ModelCallEvent): void {
    if (typeof event.runId !== "string" || typeof event.callId !== "string") return;
    const run = this.run(event.runId);
    // Call numbers restart at 1 for each runner attempt: a repeated id opens a new attempt.
    if (run.callIds.has(event.callId)) {
      for (const draft of [...run.drafts]) this.emitCall(run, draft);
      this.closeAttempt(run);
      this.resetItemised(run);
    }
    run.callIds.add(event.callId);
    run.sessionKey = text(event.sessionKey) ?? run.sessionKey;
    run.sessionId = text(event.sessionId) ?? run.sessionId;
    const draft: CallDraft = {
      eventId: run.attempt === 1 ? `call:${event.callId}` : `call:${event.callId}:a${run.attempt}`,
      callId: event.callId,
      runId: event.runId,
      queueKey: run.sessionKey ?? run.sessionId ?? event.runId,
      provider: text(event.provider) ?? "unknown",
      model: text(event.model) ?? "unknown",
      startedAt: this.now(),
    };
    run.drafts.push(draft);
    const queue = this.pending.get(draft.queueKey) ?? [];
    queue.push(draft);
    this.pending.set(draft.queueKey, queue);
  }

  callEnded(event: ModelCallEndedEvent): void {
    const run = this.runs.get(event.runId);
    const draft = run?.drafts.findLast((d) => d.callId === event.callId && !d.ended);
    if (!run || !draft) return; // started before we were loaded: the run row covers it
    draft.ended = {
      at: this.now(),
      durationMs: millis(event.durationMs),
      ttfbMs: millis(event.timeToFirstByteMs),
      outcome: text(event.outcome, 64) ?? "completed",
      errorCategory: text(event.errorCategory, 128) ?? text(event.failureKind, 128),
    };
    if (draft.usage || draft.ended.outcome !== "completed") this.emitCall(run, draft);
  }

  /** `before_message_write`: an assistant message carries the usage of the call that made it. */
  assistantWritten(message: unknown, ctx: AssistantWriteContext): void {
    if (typeof message !== "object" || message === null) return;
    const msg = message as Record<string, unknown>;
    if (msg.role !== "assistant" || typeof msg.usage !== "object" || msg.usage === null) return;
    const key = text(ctx.sessionKey);
    const queue = key ? this.pending.get(key) : undefined;
    if (!queue) return;
    const failed = msg.stopReason === "error" || msg.stopReason === "aborted";
    const draft = queue.find(
      (d) =>
        !d.usage &&
        (failed || d.ended?.outcome !== "error") &&
        (typeof msg.model !== "string" || msg.model === d.model),
    );
    const run = draft ? this.runs.get(draft.runId) : undefined;
    if (!draft || !run) return;
    draft.usage = normalizeUsage(msg.usage);
    draft.rawUsage = msg.usage;
    draft.usageAt = this.now();
    run.agentId = text(ctx.agentId) ?? run.agentId;
    this.unqueue(draft);
    if (draft.ended) this.emitCall(run, draft);
  }

  /** `agent_end`: remembered for the run row's outcome (llm_output follows it). */
  runEnded(event: RunEndEvent, ctx: RunContext): void {
    const runId = event.runId ?? ctx.runId;
    if (!runId) return;
    this.runContext({ ...ctx, runId });
    this.run(runId).end = event;
  }

  /** `llm_output`: closes the attempt, writing a run row for usage no call row accounts for. */
  runOutput(event: RunOutputEvent, ctx: RunContext): void {
    this.runContext({ ...ctx, runId: event.runId });
    const run = this.run(event.runId);
    run.sessionId = text(event.sessionId) ?? run.sessionId;
    const reported = normalizeUsage(event.usage);
    const leftovers = this.closeAttempt(run);
    const remainder = subtractUsage(reported, run.itemised);
    if (leftovers.length > 0 || (reported.known && hasTokens(remainder))) {
      const usage = reported.known ? remainder : { ...EMPTY_USAGE };
      this.options.emit(runRecord(this.options, run, event, leftovers, usage, this.now()));
    }
    this.resetItemised(run);
  }

  /** Writes calls whose missing half is overdue; forgets idle runs. */
  sweep(): void {
    const now = this.now();
    for (const run of this.runs.values()) {
      for (const draft of [...run.drafts]) {
        const overdue = draft.ended
          ? now - draft.ended.at > this.usageGraceMs
          : draft.usageAt !== undefined
            ? now - draft.usageAt > this.usageGraceMs
            : now - draft.startedAt > this.openCallTimeoutMs;
        if (overdue) this.emitCall(run, draft);
      }
      if (run.drafts.length === 0 && now - run.touchedAt > this.openCallTimeoutMs) {
        this.runs.delete(run.runId);
      }
    }
  }

  /** Writes everything still open (shutdown, process exit): nothing observed is dropped. */
  drain(): void {
    for (const run of this.runs.values()) {
      for (const draft of [...run.drafts]) this.emitCall(run, draft);
    }
    this.runs.clear();
    this.pending.clear();
  }

  /** Open calls (for tests and diagnostics). */
  openCalls(): number {
    let count = 0;
    for (const run of this.runs.values()) count += run.drafts.length;
    return count;
  }

  private run(runId: string): RunState {
    let run = this.runs.get(runId);
    if (!run) {
      run = newRun(runId, this.now());
      this.runs.set(runId, run);
    }
    run.touchedAt = this.now();
    return run;
  }

  private resetItemised(run: RunState): void {
    run.itemised = { ...EMPTY_USAGE };
    run.itemisedHostCostNano = 0;
  }

  /** Ends the current attempt: itemised calls are written, un-itemised ones handed back. */
  private closeAttempt(run: RunState): CallDraft[] {
    const leftovers: CallDraft[] = [];
    for (const draft of [...run.drafts]) {
      if (draft.usage) this.emitCall(run, draft);
      else {
        leftovers.push(draft);
        this.forget(run, draft);
      }
    }
    run.callIds.clear();
    run.attempt += 1;
    return leftovers;
  }

  private emitCall(run: RunState, draft: CallDraft): void {
    this.forget(run, draft);
    const record = callRecord(this.options, run, draft);
    if (draft.usage) {
      run.itemised = addUsage(run.itemised, record.usage);
      // Whatever priced the row, the run's host total includes what the host put on this call.
      run.itemisedHostCostNano += hostCostNano(draft.rawUsage);
    }
    this.options.emit(record);
  }

  private forget(run: RunState, draft: CallDraft): void {
    const index = run.drafts.indexOf(draft);
    if (index >= 0) run.drafts.splice(index, 1);
    this.unqueue(draft);
  }

  private unqueue(draft: CallDraft): void {
    const queue = this.pending.get(draft.queueKey);
    if (!queue) return;
    const index = queue.indexOf(draft);
    if (index >= 0) queue.splice(index, 1);
    if (queue.length === 0) this.pending.delete(draft.queueKey);
  }
}
