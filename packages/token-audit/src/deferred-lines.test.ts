import { describe, expect, it } from "vitest";
import { DeferredLines, type LineTimer } from "./deferred-lines.ts";

// Lines wait PRICE_AFTER_MS before they are priced and written; shutdown writes the waiting ones
// at once, and each exactly once.

function manualTimer() {
  const timers: Array<{ run: () => void; ms: number; cleared: boolean }> = [];
  const timer: LineTimer = {
    set: (run, ms) => {
      const entry = { run, ms, cleared: false };
      timers.push(entry);
      return entry;
    },
    clear: (handle) => {
      (handle as { cleared: boolean }).cleared = true;
    },
  };
  return { timer, timers };
}

describe("DeferredLines", () => {
  it("writes each line when its wait is over, in the order the waits end", () => {
    const written: string[] = [];
    const { timer, timers } = manualTimer();
    const lines = new DeferredLines<string>((line) => written.push(line), { delayMs: 250, timer });
    lines.add("a");
    lines.add("b");
    expect(written).toEqual([]);
    expect(timers.map((t) => t.ms)).toEqual([250, 250]);
    timers[1]?.run();
    timers[0]?.run();
    expect(written).toEqual(["b", "a"]);
  });

  it("writes the waiting lines at once on flush, and never twice", () => {
    const written: string[] = [];
    const { timer, timers } = manualTimer();
    const lines = new DeferredLines<string>((line) => written.push(line), { timer });
    lines.add("a");
    lines.add("b");
    timers[0]?.run();
    lines.flush();
    expect(written).toEqual(["a", "b"]);
    expect(timers[1]?.cleared).toBe(true);
    timers[1]?.run();
    lines.flush();
    expect(written).toEqual(["a", "b"]);
  });
});
