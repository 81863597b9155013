import { describe, expect, it } from "vitest";
import { MAX_TRIGGER_LATENCY_MS, triggeredLatencyMs } from "./latency-trigger.ts";

describe("triggeredLatencyMs", () => {
  it("reads the last trigger of the last user message carrying one, past appended context", () => {
    expect(
      triggeredLatencyMs([
        { role: "user", content: "go [[latency:10]] then [[latency:250]]" },
        { role: "user", content: "<runtime context, no trigger>" },
      ]),
    ).toBe(250);
  });

  it("stops delaying once an assistant message answered the trigger", () => {
    const answered = [
      { role: "user", content: "[[latency:9000]]" },
      { role: "assistant", content: "done" },
      { role: "user", content: "next turn" },
    ];
    expect(triggeredLatencyMs(answered)).toBe(0);
    expect(triggeredLatencyMs([...answered, { role: "user", content: "[[latency:40]]" }])).toBe(40);
  });

  it("is 0 without a well-formed trigger, and capped above the maximum", () => {
    expect(triggeredLatencyMs([{ role: "user", content: "[[latency:]] [[latency:-5]]" }])).toBe(0);
    expect(triggeredLatencyMs([{ role: "system", content: "[[latency:100]]" }])).toBe(0);
    expect(triggeredLatencyMs([{ role: "user", content: "[[latency:999999999]]" }])).toBe(
      MAX_TRIGGER_LATENCY_MS,
    );
  });
});
