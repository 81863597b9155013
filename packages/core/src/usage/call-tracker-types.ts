import { EMPTY_USAGE, type NormalizedUsage } from "./usage-normalize.ts";

/*
 * The hook payloads the call tracker reads, declared structurally (the core never imports the
 * host): each is a subset of the host's own event or context type, so plugins pass them as is.
 */

/** `model_call_started` (and the base of `model_call_ended`). */
export interface ModelCallEvent {
  runId: string;
  /** `<runId>:model:<n>`; n restarts at 1 for each runner attempt. */
  callId: string;
  sessionKey?: string;
  sessionId?: string;
  provider: string;
  model: string;
}

export interface ModelCallEndedEvent extends ModelCallEvent {
  durationMs?: number;
  outcome?: string;
  errorCategory?: string;
  failureKind?: string;
  timeToFirstByteMs?: number;
}

/** The agent hook context (`llm_input`, `llm_output`, `agent_end`). */
export interface RunContext {
  runId?: string;
  agentId?: string;
  sessionKey?: string;
  sessionId?: string;
  trigger?: string;
}

/** `before_message_write` context. */
export interface AssistantWriteContext {
  agentId?: string;
  sessionKey?: string;
}

/** `llm_output`: one per runner attempt, `usage` summed over the attempt's model calls. */
export interface RunOutputEvent {
  runId: string;
  sessionId?: string;
  provider?: string;
  model?: string;
  usage?: unknown;
}

/** `agent_end`. */
export interface RunEndEvent {
  runId?: string;
  success?: boolean;
  error?: string;
  durationMs?: number;
}

interface CallEnd {
  at: number;
  durationMs: number | null;
  ttfbMs: number | null;
  outcome: string;
  errorCategory: string | null;
}

/** A model call between its start and the moment its row is written. */
export interface CallDraft {
  eventId: string;
  callId: string;
  runId: string;
  /** The session the call's assistant message will be written to (pairs usage with the call). */
  queueKey: string;
  provider: string;
  model: string;
  startedAt: number;
  ended?: CallEnd;
  usage?: NormalizedUsage;
  rawUsage?: unknown;
  usageAt?: number;
}

export interface RunState {
  runId: string;
  agentId: string | null;
  trigger: string | null;
  sessionKey: string | null;
  sessionId: string | null;
  /** 1-based runner attempt; call ids repeat across attempts. */
  attempt: number;
  callIds: Set<string>;
  drafts: CallDraft[];
  /** Usage already written as call rows in this attempt. */
  itemised: NormalizedUsage;
  itemisedHostCostNano: number;
  end?: RunEndEvent;
  touchedAt: number;
}

export function newRun(runId: string, now: number): RunState {
  return {
    runId,
    agentId: null,
    trigger: null,
    sessionKey: null,
    sessionId: null,
    attempt: 1,
    callIds: new Set(),
    drafts: [],
    itemised: { ...EMPTY_USAGE },
    itemisedHostCostNano: 0,
    touchedAt: now,
  };
}
