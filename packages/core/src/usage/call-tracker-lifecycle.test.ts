import { describe, expect, it } from "vitest";
import {
  assistant,
  callBase,
  KEY,
  modelCall,
  RUN,
  runCtx,
  setup,
} from "./call-tracker.test-support.ts";
import { pricesFromHostConfig } from "./model-prices.ts";

describe("CallTracker attempts, failures and lifecycle", () => {
  it("numbers a repeated call id as a new runner attempt", () => {
    const { rows, tracker } = setup();
    modelCall(tracker, 1, { input: 5, output: 1 });
    tracker.runOutput({ runId: RUN, usage: { input: 5, output: 1 } }, runCtx);
    modelCall(tracker, 1, { input: 7, output: 1 });
    modelCall(tracker, 1, { input: 9, output: 1 }); // third attempt without an llm_output between
    expect(rows.map((r) => r.eventId)).toEqual([
      `call:${RUN}:model:1`,
      `call:${RUN}:model:1:a2`,
      `call:${RUN}:model:1:a3`,
    ]);
  });

  it("writes a failed call at once, with its error category and unknown usage", () => {
    const { rows, tracker } = setup();
    tracker.callStarted(callBase(1));
    tracker.callEnded({
      ...callBase(1),
      outcome: "error",
      errorCategory: "rate_limit",
      durationMs: 30,
    });
    expect(rows[0]).toMatchObject({
      outcome: "error",
      errorCategory: "rate_limit",
      usage: { known: false, total: 0 },
      costNano: null,
    });
    // The host's error message that follows pairs with nothing: no second row.
    tracker.assistantWritten(assistant({ input: 0, output: 0 }, { stopReason: "error" }), {
      sessionKey: KEY,
    });
    expect(rows).toHaveLength(1);
  });

  it("ignores replayed end events and messages no call is waiting for", () => {
    const { rows, tracker } = setup();
    modelCall(tracker, 1, { input: 5, output: 1 });
    tracker.callEnded({ ...callBase(1), outcome: "completed" });
    tracker.assistantWritten(assistant({ input: 5, output: 1 }), { sessionKey: KEY });
    tracker.assistantWritten({ role: "user", content: "hi" }, { sessionKey: KEY });
    expect(rows).toHaveLength(1);
  });

  it("writes overdue calls on sweep, and everything open on drain", () => {
    const { rows, tracker, advance } = setup({ usageGraceMs: 1000, openCallTimeoutMs: 5000 });
    tracker.callStarted(callBase(1));
    tracker.callEnded({ ...callBase(1), outcome: "completed" });
    tracker.callStarted(callBase(1, "run-2", "agent:main:other"));
    tracker.sweep();
    expect(rows).toHaveLength(0);
    advance(1001);
    tracker.sweep();
    expect(rows.map((r) => [r.callId, r.usage.known])).toEqual([[`${RUN}:model:1`, false]]);
    tracker.drain();
    expect(rows.map((r) => r.callId)).toEqual([`${RUN}:model:1`, "run-2:model:1"]);
    expect(tracker.openCalls()).toBe(0);
  });

  it("uses catalog prices when the host sent no cost", () => {
    const { rows, tracker } = setup({
      prices: pricesFromHostConfig(() => ({
        models: {
          providers: {
            cloudsigma: {
              models: [
                { id: "gpt-5.5", cost: { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 0 } },
              ],
            },
          },
        },
      })),
    });
    tracker.callStarted(callBase(1));
    tracker.assistantWritten(
      {
        role: "assistant",
        model: "gpt-5.5",
        usage: { input: 1000, output: 100, cacheRead: 2000, cacheWrite: 0 },
      },
      { sessionKey: KEY },
    );
    tracker.callEnded({ ...callBase(1), outcome: "completed" });
    expect(rows[0]).toMatchObject({
      costSource: "catalog",
      costNano: 1000 * (1000 * 2 + 100 * 8 + 2000 * 0.5),
      savingNano: 1000 * 2000 * 1.5,
    });
  });
});
