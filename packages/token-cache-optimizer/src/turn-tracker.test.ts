import { describe, expect, it } from "vitest";
import { TurnTracker } from "./turn-tracker.ts";

describe("TurnTracker", () => {
  it("derives the turn from the run id and counts restarts of the call sequence as attempts", () => {
    const tracker = new TurnTracker();
    const seen = [
      "a:model:1",
      "a:model:2",
      "a:model:3",
      "a:model:1",
      "b:model:1",
      "a:model:2",
      "a:model:1",
    ].map((id) => tracker.observe(id));
    expect(seen.map((t) => `${t.turnId}#${t.attempt}`)).toEqual([
      "a#1",
      "a#1",
      "a#1",
      "a#2",
      "b#1",
      "a#2",
      "a#3",
    ]);
    expect(seen[0]?.callId).toBe("a:model:1");
  });

  it("keeps run ids containing colons whole", () => {
    expect(new TurnTracker().observe("agent:main:x:model:4").turnId).toBe("agent:main:x");
  });

  it("without a parsable request id there is no turn id and attempt 1", () => {
    const tracker = new TurnTracker();
    expect(tracker.observe(undefined)).toEqual({ attempt: 1 });
    expect(tracker.observe("opaque")).toEqual({ attempt: 1, callId: "opaque" });
  });

  it("is bounded, forgetting the least recently seen run first", () => {
    const tracker = new TurnTracker(3);
    for (const run of ["r1", "r2", "r3"]) tracker.observe(`${run}:model:1`);
    tracker.observe("r1:model:2"); // r1 becomes most recent
    tracker.observe("r4:model:1"); // evicts r2
    expect(tracker.size).toBe(3);
    expect(tracker.observe("r2:model:1").attempt).toBe(1);
    expect(tracker.observe("r1:model:1").attempt).toBe(2);
  });
});
