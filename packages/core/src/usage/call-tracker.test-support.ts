import { CallTracker, type CallTrackerOptions } from "./call-tracker.ts";
import { pricesFromHostConfig } from "./model-prices.ts";
import type { UsageRecord } from "./usage-record.ts";

// Event sequences as the real host emits them (seen in a probe against 2026.9.6):
// model_call_started -> model_call_ended -> before_message_write(assistant) per call,
// then agent_end and llm_output (usage summed over the attempt) once per run.

export const RUN = "run-1";
export const KEY = "agent:main:main";
export const SID = "sess-1";

export function setup(options: Partial<CallTrackerOptions> = {}) {
  const rows: UsageRecord[] = [];
  let clock = 1_000_000;
  const tracker = new CallTracker({
    emit: (row) => rows.push(row),
    prices: pricesFromHostConfig(() => ({})),
    now: () => clock,
    ...options,
  });
  const advance = (ms: number) => {
    clock += ms;
  };
  return { rows, tracker, advance };
}

export const callBase = (n: number, run = RUN, key = KEY) => ({
  runId: run,
  callId: `${run}:model:${n}`,
  sessionKey: key,
  sessionId: SID,
  provider: "cloudsigma",
  model: "gpt-5.5",
});

export const assistant = (usage: Record<string, number>, extra: Record<string, unknown> = {}) => ({
  role: "assistant",
  provider: "cloudsigma",
  model: "gpt-5.5",
  stopReason: "stop",
  usage: { ...usage, cost: { total: (usage.input ?? 0) / 1e6 } },
  ...extra,
});

export function modelCall(
  tracker: CallTracker,
  n: number,
  usage: Record<string, number> | undefined,
  opts: {
    run?: string;
    key?: string;
    writeFirst?: boolean;
    outcome?: string;
    durationMs?: number;
  } = {},
) {
  const base = callBase(n, opts.run, opts.key);
  tracker.callStarted(base);
  const write = () => {
    if (usage)
      tracker.assistantWritten(assistant(usage), { agentId: "main", sessionKey: base.sessionKey });
  };
  if (opts.writeFirst) write();
  tracker.callEnded({
    ...base,
    durationMs: opts.durationMs ?? 200 + n,
    timeToFirstByteMs: 100 + n,
    outcome: opts.outcome ?? "completed",
  });
  if (!opts.writeFirst) write();
}

export const runCtx = {
  runId: RUN,
  agentId: "main",
  sessionKey: KEY,
  sessionId: SID,
  trigger: "user",
};
