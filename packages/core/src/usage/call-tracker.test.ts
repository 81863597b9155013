import { describe, expect, it } from "vitest";
import {
  assistant,
  callBase,
  KEY,
  modelCall,
  RUN,
  runCtx,
  SID,
  setup,
} from "./call-tracker.test-support.ts";

// Event sequences as the real host emits them (seen in a probe against 2026.9.6):
// model_call_started -> model_call_ended -> before_message_write(assistant) per call,
// then agent_end and llm_output (usage summed over the attempt) once per run.

describe("CallTracker pairing", () => {
  it("writes one call row per model call with the call's own usage, ids and timing", () => {
    const { rows, tracker } = setup();
    tracker.runContext(runCtx);
    modelCall(tracker, 1, { input: 176, output: 5, cacheRead: 1024, cacheWrite: 0 });
    modelCall(tracker, 2, { input: 80, output: 9, cacheRead: 2048, cacheWrite: 0 });
    tracker.runEnded({ runId: RUN, success: true, durationMs: 900 }, runCtx);
    tracker.runOutput(
      {
        runId: RUN,
        sessionId: SID,
        provider: "cloudsigma",
        model: "gpt-5.5",
        usage: { input: 256, output: 14, cacheRead: 3072, cacheWrite: 0, total: 3342 },
      },
      runCtx,
    );
    expect(
      rows.map((r) => [
        r.eventId,
        r.granularity,
        r.calls,
        r.usage.cacheRead,
        r.latencyMs,
        r.ttfbMs,
      ]),
    ).toEqual([
      [`call:${RUN}:model:1`, "call", 1, 1024, 201, 101],
      [`call:${RUN}:model:2`, "call", 1, 2048, 202, 102],
    ]);
    expect(rows[0]).toMatchObject({
      agentId: "main",
      trigger: "user",
      sessionKey: KEY,
      sessionId: SID,
      runId: RUN,
      outcome: "completed",
      costSource: "host",
    });
    expect(tracker.openCalls()).toBe(0);
  });

  it("pairs the usage even when the message is written before the call's end event", () => {
    const { rows, tracker } = setup();
    modelCall(
      tracker,
      1,
      { input: 10, output: 1, cacheRead: 0, cacheWrite: 0 },
      { writeFirst: true },
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ usage: { input: 10 }, latencyMs: 201 });
  });

  it("keeps concurrent sessions apart", () => {
    const { rows, tracker } = setup();
    tracker.callStarted(callBase(1, "run-a", "agent:main:a"));
    tracker.callStarted(callBase(1, "run-b", "agent:main:b"));
    tracker.assistantWritten(assistant({ input: 2, output: 0 }), { sessionKey: "agent:main:b" });
    tracker.assistantWritten(assistant({ input: 1, output: 0 }), { sessionKey: "agent:main:a" });
    tracker.callEnded({ ...callBase(1, "run-a", "agent:main:a"), outcome: "completed" });
    tracker.callEnded({ ...callBase(1, "run-b", "agent:main:b"), outcome: "completed" });
    expect(rows.map((r) => [r.runId, r.usage.input])).toEqual([
      ["run-a", 1],
      ["run-b", 2],
    ]);
  });

  it("writes one run row when the host exposes only the run's usage", () => {
    const { rows, tracker } = setup();
    tracker.runContext(runCtx);
    modelCall(tracker, 1, undefined);
    modelCall(tracker, 2, undefined);
    tracker.runOutput(
      {
        runId: RUN,
        provider: "cloudsigma",
        model: "gpt-5.5",
        usage: {
          input: 352,
          output: 10,
          cacheRead: 2048,
          cacheWrite: 0,
          total: 2410,
          cost: { total: 0.002 },
        },
      },
      runCtx,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      eventId: `run:${RUN}`,
      granularity: "run",
      calls: 2,
      callId: null,
      usage: { input: 352, output: 10, cacheRead: 2048, total: 2410, known: true },
      latencyMs: 201 + 202,
      ttfbMs: 101,
      costNano: 2_000_000,
      trigger: "user",
    });
  });

  it("keeps a duration a ledger row cannot hold exactly (1e308, or a run's sum past 2^53) unknown", () => {
    const { rows, tracker } = setup();
    tracker.runContext(runCtx);
    modelCall(tracker, 1, undefined, { durationMs: 6e15 });
    modelCall(tracker, 2, undefined, { durationMs: 6e15 });
    tracker.runOutput({ runId: RUN, usage: { input: 10, output: 1 } }, runCtx);
    modelCall(tracker, 1, { input: 5, output: 1 }, { run: "run-slow", durationMs: 1e308 });
    expect(rows.map((r) => [r.granularity, r.latencyMs])).toEqual([
      ["run", null],
      ["call", null],
    ]);
  });

  it("adds a run row for what the itemised calls do not account for, so totals match the host", () => {
    const { rows, tracker } = setup();
    modelCall(tracker, 1, { input: 100, output: 1, cacheRead: 0, cacheWrite: 0 });
    modelCall(tracker, 2, undefined);
    tracker.runOutput(
      {
        runId: RUN,
        usage: { input: 150, output: 3, cacheRead: 64, cacheWrite: 0, cost: { total: 0.0003 } },
      },
      runCtx,
    );
    const run = rows.find((r) => r.granularity === "run");
    expect(run).toMatchObject({
      calls: 1,
      usage: { input: 50, output: 2, cacheRead: 64, total: 116 },
    });
    // Host cost of the run minus the host cost of the itemised call (100 input tokens = 0.0001).
    expect(run?.costNano).toBe(200_000);
    const sum = rows.reduce((s, r) => s + r.usage.total, 0);
    expect(sum).toBe(150 + 3 + 64);
  });
});
