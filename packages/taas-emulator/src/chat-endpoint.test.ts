import { describe, expect, it } from "vitest";
import { createEmulatorHandler } from "./emulator.ts";
import { cacheableLength } from "./prefix-cache.ts";
import { countTextTokens } from "./prompt-tokens.ts";
import {
  chatRequest,
  filler,
  firstChoice,
  parseSse,
  postChat,
  usageOf,
  userMessage,
} from "./test-support.ts";

const messages = [
  { role: "system", content: "You are terse." },
  userMessage([
    { type: "text", text: "Say something" },
    { type: "text", text: "deterministic." },
  ]),
];

interface Chunk {
  id: string;
  object: string;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: string;
      content?: string | null;
      tool_calls?: { index: number; id?: string; function: { name?: string; arguments: string } }[];
    };
    finish_reason: string | null;
  }[];
  usage?: unknown;
}

async function streamChunks(
  body: Record<string, unknown>,
): Promise<{ response: Response; events: unknown[] }> {
  const response = await createEmulatorHandler()(chatRequest({ ...body, stream: true }));
  return { response, events: parseSse(await response.text()) };
}

describe("non-streaming chat completions", () => {
  it("answers an OpenAI chat.completion with a deterministic reply and usage", async () => {
    const handler = createEmulatorHandler();
    const { response, json } = await postChat(handler, { model: "kimi-k2.6", messages });
    expect(response.status).toBe(200);
    expect(json).toMatchObject({ object: "chat.completion", model: "kimi-k2.6" });
    expect(json.id).toMatch(/^chatcmpl-/);
    const choice = firstChoice(json);
    expect(choice.finish_reason).toBe("stop");
    expect(choice.message.role).toBe("assistant");
    const content = choice.message.content ?? "";
    expect(content.startsWith("TaaS emulator (kimi-k2.6): Say something deterministic.")).toBe(
      true,
    );
    const usage = usageOf(json);
    expect(usage.completion_tokens).toBe(countTextTokens(content));
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.completion_tokens_details.reasoning_tokens).toBe(0);
    expect(usage).not.toHaveProperty("cache_read_input_tokens");
  });

  it("replies as a function of model and last user text only", async () => {
    const handler = createEmulatorHandler();
    const reply = async (model: string, history: unknown[]) =>
      firstChoice((await postChat(handler, { model, messages: history })).json).message.content;
    const base = await reply("gpt-5.5", [userMessage("ping")]);
    const longerHistory = [
      { role: "system", content: "other" },
      userMessage("x"),
      { role: "assistant", content: "y" },
    ];
    expect(await reply("gpt-5.5", [...longerHistory, userMessage("ping")])).toBe(base);
    expect(await reply("gpt-5.4", [userMessage("ping")])).not.toBe(base);
    expect(await reply("gpt-5.5", [userMessage("pong")])).not.toBe(base);
  });
});

describe("streaming chat completions", () => {
  it("streams role, content pieces, finish_reason, a usage chunk and [DONE]", async () => {
    const body = { model: "gpt-5.5", messages, stream_options: { include_usage: true } };
    const { response, events } = await streamChunks(body);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    // Real TaaS names no replica, and by default neither does the emulator.
    expect(response.headers.get("x-taas-upstream")).toBeNull();
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1) as Chunk[];
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    const finish = chunks.at(-2);
    expect(finish?.choices[0]?.finish_reason).toBe("stop");
    const pieces = chunks.slice(1, -2).map((c) => c.choices[0]?.delta.content ?? "");
    expect(pieces.length).toBeGreaterThan(1);
    const plain = await postChat(createEmulatorHandler(), { model: "gpt-5.5", messages });
    expect(pieces.join("")).toBe(firstChoice(plain.json).message.content);
    expect(usageChunk?.usage).toEqual(usageOf(plain.json));
  });

  it("omits the usage chunk unless include_usage is set", async () => {
    const { events } = await streamChunks({ model: "gpt-5.5", messages });
    const chunks = events.slice(0, -1) as Chunk[];
    expect(chunks.every((c) => c.choices.length === 1 && !("usage" in c))).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("waits chatLatencyMs before answering", async () => {
    const handler = createEmulatorHandler({ chatLatencyMs: 50 });
    const started = performance.now();
    await handler(chatRequest({ model: "gpt-5.5", messages, stream: true }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("holds only the request whose last user message carries [[latency:MS]]", async () => {
    const handler = createEmulatorHandler();
    const held = handler(
      chatRequest({ model: "gpt-5.5", messages: [userMessage("Wait [[latency:80]] please.")] }),
    );
    let heldDone = false;
    void held.then(() => {
      heldDone = true;
    });
    const quick = await handler(chatRequest({ model: "gpt-5.5", messages }));
    expect(quick.status).toBe(200);
    expect(heldDone).toBe(false);
    expect((await held).status).toBe(200);
  });
});

describe("anthropicUsage", () => {
  it("adds cache read and creation counts that follow the prefix cache", async () => {
    // One geometry for every model (no per-family minimum): what anthropicUsage was made for.
    const handler = createEmulatorHandler({ anthropicUsage: true, cacheProfiles: false });
    const geometry = { minTokens: 1024, stepTokens: 128 };
    const history = [{ role: "system", content: filler(1500) }, userMessage("one")];
    const session = {
      metadata: { session_id: "anthropic", openclaw_correlation: { agent_id: "main" } },
    };
    const first = usageOf(
      (await postChat(handler, { model: "claude-opus-4.8", messages: history, ...session })).json,
    );
    expect(first.cache_read_input_tokens).toBe(0);
    expect(first.cache_creation_input_tokens).toBe(cacheableLength(first.prompt_tokens, geometry));

    const repeat = usageOf(
      (await postChat(handler, { model: "claude-opus-4.8", messages: history, ...session })).json,
    );
    expect(repeat.cache_read_input_tokens).toBe(repeat.prompt_tokens_details.cached_tokens);
    expect(repeat.cache_creation_input_tokens).toBe(0);

    const grown = [
      ...history,
      { role: "assistant", content: filler(300, "r") },
      userMessage("two"),
    ];
    const next = usageOf(
      (await postChat(handler, { model: "claude-opus-4.8", messages: grown, ...session })).json,
    );
    expect(next.cache_read_input_tokens).toBe(next.prompt_tokens_details.cached_tokens);
    expect(next.cache_creation_input_tokens).toBe(
      cacheableLength(next.prompt_tokens, geometry) - next.prompt_tokens_details.cached_tokens,
    );
    expect(next.cache_creation_input_tokens).toBeGreaterThan(0);
  });

  it("never reports negative creation for prompts below the cache minimum", async () => {
    const handler = createEmulatorHandler({ anthropicUsage: true });
    const usage = usageOf((await postChat(handler, { model: "gpt-5.5", messages })).json);
    expect(usage.cache_creation_input_tokens).toBe(0);
    expect(usage.cache_read_input_tokens).toBe(0);
  });
});
