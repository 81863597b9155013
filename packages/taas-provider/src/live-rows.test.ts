import { MAX_WINDOW_TOKENS } from "@cloudsigma/taas-core/token-window";
import { describe, expect, it } from "vitest";
import {
  LIVE_DEFAULT_CONTEXT_WINDOW,
  LIVE_DEFAULT_MAX_OUTPUT,
  projectRow,
  projectRows,
  readListRows,
} from "./live-rows.ts";

/** A well-formed TaaS `/models` row; tests override one field at a time. */
function row(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "deepseek-v4",
    object: "model",
    type: "chat",
    context_window: 128_000,
    max_output_tokens: 16_000,
    capabilities: { chat_completions: true, reasoning: false, thinking: false, vision: false },
    pricing: { input: 0.27, output: 1.1 },
    ...overrides,
  };
}

const caps = (overrides: Record<string, unknown>) => ({
  capabilities: { chat_completions: true, reasoning: false, vision: false, ...overrides },
});

describe("projectRow", () => {
  it("maps a chat row to a text model with the gateway's limits and prices", () => {
    expect(projectRow(row())).toEqual({
      kind: "chat",
      model: {
        id: "deepseek-v4",
        name: "deepseek-v4",
        reasoning: false,
        input: ["text"],
        cost: { input: 0.27, output: 1.1, cacheRead: 0, cacheWrite: 0 },
        contextWindow: 128_000,
        maxTokens: 16_000,
        compat: { supportsUsageInStreaming: true, supportsPromptCacheKey: true },
      },
    });
  });

  it.each([
    ["vision type with the vision capability", { type: "vision", ...caps({ vision: true }) }, true],
    ["vision type without the capability", { type: "vision", ...caps({ vision: false }) }, false],
    [
      "vision type with the capability absent",
      { type: "vision", ...caps({ vision: undefined }) },
      false,
    ],
    ["chat type claiming vision", { type: "chat", ...caps({ vision: true }) }, false],
  ])("image input: %s -> %s", (_label, overrides, image) => {
    const verdict = projectRow(row(overrides));
    if (verdict.kind !== "chat") throw new Error(`expected a chat row, got ${verdict.kind}`);
    expect(verdict.model.input.includes("image")).toBe(image);
  });

  it.each([
    ["an embedding model", { type: "embedding", max_output_tokens: 0 }],
    ["a reranker", { type: "rerank", ...caps({ chat_completions: false }) }],
    ["a chat-typed row without chat completions", caps({ chat_completions: false })],
    ["a row that does not say it serves chat", caps({ chat_completions: undefined })],
  ])("ignores %s", (_label, overrides) => {
    expect(projectRow(row(overrides)).kind).toBe("not-chat");
  });

  it.each([
    ["null", null],
    ["a string", "not-a-model-row"],
    ["a list", ["gpt-5.5"]],
    ["a numeric id", row({ id: 12345 })],
    ["an empty id", row({ id: "" })],
    ["an id with spaces", row({ id: "gpt 5" })],
    ["a string context window", row({ context_window: "400000" })],
    ["a negative max output", row({ max_output_tokens: -1 })],
    ["a context window of 1e308", row({ context_window: 1e308 })],
    ["a context window past 100M tokens", row({ context_window: MAX_WINDOW_TOKENS + 1 })],
    ["a max output of 1e15 tokens", row({ max_output_tokens: 1e15 })],
    ["null capabilities", row({ capabilities: null })],
    ["a numeric type", row({ type: 7 })],
    ["a string chat capability", row(caps({ chat_completions: "yes" }))],
    ["a numeric vision flag", row({ type: "vision", ...caps({ vision: 1 }) })],
    ["a string price", row({ pricing: "free" })],
    ["a negative price", row({ pricing: { input: -1, output: 1 } })],
    ["a string cache-read price", row({ pricing: { input: 1, output: 1, cache_read: "0.1" } })],
  ])("treats %s as malformed", (_label, value) => {
    expect(projectRow(value).kind).toBe("malformed");
  });

  it("keeps a context window of the largest size believed", () => {
    expect(projectRow(row({ context_window: MAX_WINDOW_TOKENS }))).toMatchObject({
      kind: "chat",
      model: { contextWindow: MAX_WINDOW_TOKENS },
    });
  });

  it('uses conservative limits, and 0 (the host\'s "not stated") for prices the gateway omits', () => {
    const verdict = projectRow(
      row({ context_window: undefined, max_output_tokens: null, pricing: undefined }),
    );
    expect(verdict).toMatchObject({
      kind: "chat",
      model: {
        contextWindow: LIVE_DEFAULT_CONTEXT_WINDOW,
        maxTokens: LIVE_DEFAULT_MAX_OUTPUT,
        cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      },
    });
  });

  it("carries a cache-read price when the gateway lists one", () => {
    const verdict = projectRow(row({ pricing: { input: 1, output: 4, cache_read: 0.1 } }));
    expect(verdict).toMatchObject({
      model: { cost: { input: 1, output: 4, cacheRead: 0.1, cacheWrite: 0 } },
    });
  });

  it("keeps the reasoning capability", () => {
    expect(projectRow(row(caps({ reasoning: true })))).toMatchObject({
      model: { reasoning: true },
    });
  });
});

describe("projectRow on a plain OpenAI row", () => {
  const plain = (id: string) => ({ id, object: "model", created: 1_767_225_600, owned_by: "x" });

  it("reads it as a text-only chat row that declares nothing: conservative limits, no price", () => {
    const declaresNothing = row({
      context_window: undefined,
      max_output_tokens: undefined,
      pricing: undefined,
    });
    expect(projectRow(plain("deepseek-v4"))).toEqual(projectRow(declaresNothing));
    expect(projectRow(plain("deepseek-v4"))).toMatchObject({
      model: {
        input: ["text"],
        reasoning: false,
        contextWindow: LIVE_DEFAULT_CONTEXT_WINDOW,
        maxTokens: LIVE_DEFAULT_MAX_OUTPUT,
      },
    });
  });

  it.each([
    "text-embedding-3-large",
    "bge-reranker-v2-m3",
    "omni-moderation-latest",
    "tts-1-hd",
    "gpt-4o-mini-tts",
    "speech-02-hd",
    "whisper-1",
    "gpt-4o-transcribe",
    "dall-e-3",
    "gpt-image-1",
    "imagen-4.0",
    "stable-diffusion-xl",
  ])("leaves out %s, whose id names a non-chat kind", (id) => {
    expect(projectRow(plain(id))).toEqual({ kind: "not-chat", id });
  });

  it.each(["qwen3-vl", "gpt-5.5", "llama-3.3-70b", "pixtral-large", "mistral-large-3"])(
    "keeps %s as a chat route, never with image input",
    (id) => {
      const verdict = projectRow(plain(id));
      if (verdict.kind !== "chat") throw new Error(`expected a chat row, got ${verdict.kind}`);
      expect(verdict.model.input).toEqual(["text"]);
    },
  );

  it("uses limits a plain row does carry", () => {
    expect(projectRow({ ...plain("deepseek-v4"), context_window: 128_000 })).toMatchObject({
      model: { contextWindow: 128_000, maxTokens: LIVE_DEFAULT_MAX_OUTPUT },
    });
  });

  it("still rejects a row that declares only half of the rich shape", () => {
    expect(projectRow({ ...plain("deepseek-v4"), type: "chat" }).kind).toBe("malformed");
  });
});

describe("projectRows", () => {
  it("skips each malformed row alone and keeps the usable ones, first id wins", () => {
    const rows = [
      row({ id: 12345 }),
      row({ id: "mistral-large-3" }),
      null,
      row({ id: "bge-reranker", type: "rerank" }),
      row({ id: "mistral-large-3", context_window: 1 }),
      row(),
    ];
    const projected = projectRows(rows);
    expect(projected.models.map((model) => model.id)).toEqual(["mistral-large-3", "deepseek-v4"]);
    expect(projected.models[0]?.contextWindow).toBe(128_000);
    expect(projected).toMatchObject({ malformed: 2, notChat: 1 });
  });
});

describe("readListRows", () => {
  it.each([
    [{ object: "list", data: [] }, []],
    [{ data: [1] }, [1]],
    [{ object: "list" }, undefined],
    [[{ id: "x" }], undefined],
    [null, undefined],
    [{ data: "rows" }, undefined],
  ])("%j -> %j", (body, rows) => {
    expect(readListRows(body)).toEqual(rows);
  });
});
