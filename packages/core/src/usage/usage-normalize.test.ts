import { describe, expect, it } from "vitest";
import { MAX_WINDOW_TOKENS } from "../token-window.ts";
import {
  addUsage,
  type NormalizedUsage,
  normalizeUsage,
  subtractUsage,
} from "./usage-normalize.ts";

// What a usage report may state: 100 calls each filling the largest context window.
const MAX_USAGE_TOKENS = 100 * MAX_WINDOW_TOKENS;

type Expected = {
  shape: NormalizedUsage["shape"];
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
};

// Every provider shape, with the counters each provider documents; `input` is always uncached.
const table: Array<[string, unknown, Expected]> = [
  [
    "OpenAI chat: prompt_tokens includes cached_tokens",
    {
      prompt_tokens: 1200,
      completion_tokens: 5,
      total_tokens: 1205,
      prompt_tokens_details: { cached_tokens: 1024 },
    },
    { shape: "openai-chat", input: 176, output: 5, cacheRead: 1024, cacheWrite: 0, total: 1205 },
  ],
  [
    "OpenAI chat without details",
    { prompt_tokens: 10, completion_tokens: 2 },
    { shape: "openai-chat", input: 10, output: 2, cacheRead: 0, cacheWrite: 0, total: 12 },
  ],
  [
    "OpenAI-compatible proxy in front of Anthropic (cache creation inside prompt_tokens)",
    {
      prompt_tokens: 3000,
      completion_tokens: 7,
      prompt_tokens_details: { cached_tokens: 2048 },
      cache_read_input_tokens: 2048,
      cache_creation_input_tokens: 512,
    },
    { shape: "openai-chat", input: 440, output: 7, cacheRead: 2048, cacheWrite: 512, total: 3007 },
  ],
  [
    "DeepSeek prompt_cache_hit_tokens",
    {
      prompt_tokens: 900,
      completion_tokens: 1,
      prompt_cache_hit_tokens: 640,
      prompt_cache_miss_tokens: 260,
    },
    { shape: "openai-chat", input: 260, output: 1, cacheRead: 640, cacheWrite: 0, total: 901 },
  ],
  [
    "OpenAI Responses: input_tokens includes cached_tokens",
    {
      input_tokens: 5000,
      output_tokens: 40,
      total_tokens: 5040,
      input_tokens_details: { cached_tokens: 4864 },
    },
    {
      shape: "openai-responses",
      input: 136,
      output: 40,
      cacheRead: 4864,
      cacheWrite: 0,
      total: 5040,
    },
  ],
  [
    "Anthropic: input_tokens excludes cache read and creation",
    {
      input_tokens: 12,
      output_tokens: 30,
      cache_read_input_tokens: 4000,
      cache_creation_input_tokens: 300,
    },
    { shape: "anthropic", input: 12, output: 30, cacheRead: 4000, cacheWrite: 300, total: 4342 },
  ],
  [
    "Anthropic without caching",
    { input_tokens: 50, output_tokens: 9 },
    { shape: "anthropic", input: 50, output: 9, cacheRead: 0, cacheWrite: 0, total: 59 },
  ],
  [
    "Google: promptTokenCount includes cachedContentTokenCount; thoughts are output",
    {
      promptTokenCount: 2000,
      cachedContentTokenCount: 1500,
      candidatesTokenCount: 20,
      thoughtsTokenCount: 5,
      totalTokenCount: 2025,
    },
    { shape: "google", input: 500, output: 25, cacheRead: 1500, cacheWrite: 0, total: 2025 },
  ],
  [
    "Bedrock Converse: inputTokens excludes cache reads and writes",
    {
      inputTokens: 4,
      outputTokens: 292,
      totalTokens: 4460,
      cacheReadInputTokens: 4164,
      cacheWriteInputTokens: 0,
    },
    { shape: "bedrock", input: 4, output: 292, cacheRead: 4164, cacheWrite: 0, total: 4460 },
  ],
  [
    "the host's own usage",
    { input: 176, output: 5, cacheRead: 1024, cacheWrite: 0, total: 1205, cost: { total: 0.01 } },
    { shape: "openclaw", input: 176, output: 5, cacheRead: 1024, cacheWrite: 0, total: 1205 },
  ],
  [
    "the host's per-message usage (totalTokens)",
    {
      input: 14387,
      output: 7,
      cacheRead: 0,
      cacheWrite: 0,
      reasoningTokens: 0,
      totalTokens: 14394,
    },
    { shape: "openclaw", input: 14387, output: 7, cacheRead: 0, cacheWrite: 0, total: 14394 },
  ],
];

describe("normalizeUsage", () => {
  it.each(table)("%s", (_label, raw, expected) => {
    expect(normalizeUsage(raw)).toEqual({ ...expected, known: true });
  });

  it("never lets the hit-rate denominator lose prompt tokens: input + read + write = prompt", () => {
    const raw = {
      prompt_tokens: 3000,
      prompt_tokens_details: { cached_tokens: 2048 },
      cache_creation_input_tokens: 512,
    };
    const u = normalizeUsage(raw);
    expect(u.input + u.cacheRead + u.cacheWrite).toBe(3000);
  });

  it.each([
    ["strings", { prompt_tokens: "1200", completion_tokens: 5 }, { input: 0, output: 5 }],
    ["negatives", { input: -5, output: 3, cacheRead: -1 }, { input: 0, output: 3 }],
    [
      "NaN and Infinity",
      { input: Number.NaN, output: Number.POSITIVE_INFINITY, cacheRead: 7 },
      { input: 0, output: 0 },
    ],
    ["fractions", { input: 10.9, output: 1.2 }, { input: 10, output: 1 }],
    [
      "cached above prompt",
      { prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 50 } },
      { input: 0, output: 0 },
    ],
  ])("turns malformed counters (%s) into 0 without throwing", (_label, raw, expected) => {
    const u = normalizeUsage(raw);
    expect(u).toMatchObject(expected);
    expect(
      Object.values(u).every((v) => typeof v !== "number" || (Number.isInteger(v) && v >= 0)),
    ).toBe(true);
  });

  it.each([[undefined], [null], ["1200"], [42], [[1, 2]], [{}], [{ foo: 1 }], [{ input: "x" }]])(
    "marks %j as unknown usage",
    (raw) => {
      expect(normalizeUsage(raw)).toMatchObject({ known: false, total: 0, shape: "unknown" });
    },
  );

  it("survives hostile objects", () => {
    const trap = new Proxy(
      {},
      {
        get: () => {
          throw new Error("boom");
        },
        has: () => true,
      },
    );
    expect(normalizeUsage({ prompt_tokens: 5, prompt_tokens_details: trap })).toMatchObject({
      known: false,
      total: 0,
    });
  });
});

describe("usage arithmetic", () => {
  it("subtracts field-wise and never goes below zero", () => {
    const run = normalizeUsage({ input: 100, output: 10, cacheRead: 50, cacheWrite: 0 });
    const call = normalizeUsage({ input: 40, output: 20, cacheRead: 50, cacheWrite: 0 });
    expect(subtractUsage(run, call)).toMatchObject({
      input: 60,
      output: 0,
      cacheRead: 0,
      total: 60,
    });
    expect(addUsage(call, call)).toMatchObject({
      input: 80,
      output: 40,
      cacheRead: 100,
      total: 220,
    });
  });

  it("reads a report of more tokens than any run uses as unknown, not as counted", () => {
    expect(normalizeUsage({ input: MAX_USAGE_TOKENS - 1, output: 1 })).toMatchObject({
      known: true,
      total: MAX_USAGE_TOKENS,
    });
    for (const usage of [
      { input: Number.MAX_SAFE_INTEGER, output: 1 },
      { prompt_tokens: 1e308, completion_tokens: 5 },
      { prompt_tokens: 10, completion_tokens: 5, total_tokens: MAX_USAGE_TOKENS + 1 },
    ]) {
      expect(normalizeUsage(usage), JSON.stringify(usage)).toMatchObject({
        known: false,
        input: 0,
        total: 0,
      });
    }
  });

  it("reads token counters strictly", () => {
    const outputOf = (value: unknown) => normalizeUsage({ input: 1, output: value }).output;
    expect([3, "3", -1, 2.7, null].map(outputOf)).toEqual([3, 0, 0, 2, 0]);
  });
});
