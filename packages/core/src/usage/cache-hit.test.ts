import { describe, expect, it } from "vitest";
import { cacheHitPercent } from "./cache-hit.ts";
import { normalizeUsage } from "./usage-normalize.ts";

describe("cacheHitPercent", () => {
  it.each([
    ["no prompt tokens at all", { input: 0, cacheRead: 0, cacheWrite: 0 }, null],
    ["nothing cached", { input: 500, cacheRead: 0, cacheWrite: 0 }, 0],
    ["everything cached", { input: 0, cacheRead: 4096, cacheWrite: 0 }, 100],
    [
      "OpenAI: no cache-write counter",
      { input: 176, cacheRead: 1024, cacheWrite: 0 },
      (1024 / 1200) * 100,
    ],
    [
      "Anthropic: writes are prompt tokens that missed",
      { input: 12, cacheRead: 4000, cacheWrite: 300 },
      (4000 / 4312) * 100,
    ],
    ["Anthropic cold start: all written", { input: 10, cacheRead: 0, cacheWrite: 4000 }, 0],
    [
      "garbage counters count as zero",
      { input: Number.NaN, cacheRead: -5, cacheWrite: Number.POSITIVE_INFINITY },
      null,
    ],
  ])("%s", (_label, tokens, expected) => {
    const got = cacheHitPercent(tokens);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 10);
  });

  it("cannot exceed 100% where read/input would show 199%", () => {
    // The bug: cacheRead / input (uncached) = 1990 / 1000 = 199%.
    const usage = { input: 1000, cacheRead: 1990, cacheWrite: 0 };
    expect(cacheHitPercent(usage)).toBeCloseTo((1990 / 2990) * 100, 10);
    for (let read = 0; read <= 10_000; read += 997) {
      for (const write of [0, 1, 5_000]) {
        const rate = cacheHitPercent({ input: 3, cacheRead: read, cacheWrite: write });
        expect(rate === null || (rate >= 0 && rate <= 100)).toBe(true);
      }
    }
  });

  it("gives the same rate for a raw provider payload and the host's normalised form", () => {
    const raw = normalizeUsage({
      prompt_tokens: 1200,
      completion_tokens: 5,
      prompt_tokens_details: { cached_tokens: 1024 },
    });
    const host = normalizeUsage({ input: 176, output: 5, cacheRead: 1024, cacheWrite: 0 });
    expect(cacheHitPercent(raw)).toBe(cacheHitPercent(host));
  });
});
