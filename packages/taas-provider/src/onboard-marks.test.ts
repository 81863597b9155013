import { describe, expect, it } from "vitest";
import { isOnboardingsRow, readMarks, rowDigest, writeMarks } from "./onboard-marks.ts";

/** `cloudsigma/gpt-5.5` exactly as onboarding in package 0.2.0 wrote it (before marks). */
const GPT_55_AS_0_2_0_WROTE_IT = {
  id: "gpt-5.5",
  name: "GPT-5.5 (Default route)",
  reasoning: false,
  input: ["text"],
  cost: { input: 1.25, output: 10, cacheRead: 0, cacheWrite: 0 },
  contextWindow: 400_000,
  maxTokens: 128_000,
  compat: { supportsUsageInStreaming: true, supportsPromptCacheKey: true },
};

describe("rowDigest", () => {
  it("ignores key order and sees every value", () => {
    const { id, name, ...rest } = GPT_55_AS_0_2_0_WROTE_IT;
    expect(rowDigest({ ...rest, name, id })).toBe(rowDigest(GPT_55_AS_0_2_0_WROTE_IT));
    expect(rowDigest({ ...GPT_55_AS_0_2_0_WROTE_IT, maxTokens: 1 })).not.toBe(
      rowDigest(GPT_55_AS_0_2_0_WROTE_IT),
    );
    expect(
      rowDigest({ ...GPT_55_AS_0_2_0_WROTE_IT, compat: { supportsUsageInStreaming: false } }),
    ).not.toBe(rowDigest(GPT_55_AS_0_2_0_WROTE_IT));
  });
});

describe("marks", () => {
  it("round-trip through the stored list and skip entries that are not id#digest", () => {
    const marks = new Map([
      ["gpt-5.5", "0123abcd"],
      ["org/model:v1", "ffff"],
    ]);
    expect(readMarks([...writeMarks(marks), "no-digest", "#only", "trailing#"])).toEqual(marks);
  });
});

describe("isOnboardingsRow", () => {
  it("is true for a row matching its mark, false once it was edited", () => {
    const marks = new Map([["gpt-5.5", rowDigest(GPT_55_AS_0_2_0_WROTE_IT)]]);
    expect(isOnboardingsRow(GPT_55_AS_0_2_0_WROTE_IT, marks)).toBe(true);
    expect(isOnboardingsRow({ ...GPT_55_AS_0_2_0_WROTE_IT, maxTokens: 1 }, marks)).toBe(false);
  });

  it("recognises an unmarked row exactly as 0.2.0 wrote it, so an upgrade refreshes it", () => {
    expect(isOnboardingsRow(GPT_55_AS_0_2_0_WROTE_IT, new Map())).toBe(true);
    expect(isOnboardingsRow({ ...GPT_55_AS_0_2_0_WROTE_IT, name: "Mine" }, new Map())).toBe(false);
  });

  it("is false for a row with no id", () => {
    expect(isOnboardingsRow({ name: "x" }, new Map())).toBe(false);
  });
});
