import { describe, expect, it } from "vitest";
import { createEmulator, createEmulatorHandler } from "./emulator.ts";
import { AUTH, BASE, chatRequest } from "./test-support.ts";

const handler = createEmulatorHandler({ maxBodyBytes: 4096 });
const tinyModel = {
  id: "tiny",
  object: "model" as const,
  type: "chat" as const,
  context_window: 50,
  max_output_tokens: 10,
  capabilities: { chat_completions: true, reasoning: false, thinking: false, vision: false },
  pricing: { input: 0, output: 0 },
};

const valid = { model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] };

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

async function expectError(response: Response, status: number, code?: string): Promise<ErrorBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/json");
  expect(response.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{24}$/);
  expect(response.headers.get("x-trace-id")).toMatch(/^[0-9a-f]{32}$/);
  const body = (await response.json()) as ErrorBody;
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error.message.length).toBeGreaterThan(0);
  if (code !== undefined) expect(body.error.code).toBe(code);
  return body;
}

describe("options", () => {
  it("rejects nonsensical numeric options up front", () => {
    expect(() => createEmulatorHandler({ replicas: 0 })).toThrow(RangeError);
    expect(() => createEmulatorHandler({ cacheStepTokens: 1.5 })).toThrow(RangeError);
    expect(() => createEmulatorHandler({ cacheTtlMs: -1 })).toThrow(RangeError);
    expect(() => createEmulatorHandler({ keylessSeed: 2 ** 32 })).toThrow(RangeError);
    expect(() => createEmulatorHandler({ historyCapacityBlocks: 0 })).toThrow(RangeError);
    const mode = "sticky" as unknown as "random";
    expect(() => createEmulatorHandler({ keylessRouting: mode })).toThrow(/keylessRouting/);
  });
});

describe("authentication", () => {
  it("answers 401 invalid_api_key without a key or with a wrong one", async () => {
    const missing = await handler(chatRequest(valid, { authorization: "" }));
    const none = await expectError(missing, 401, "invalid_api_key");
    expect(none.error).toMatchObject({ type: "invalid_request_error", param: null });
    const wrong = await handler(chatRequest(valid, { authorization: "Bearer not-the-key" }));
    await expectError(wrong, 401, "invalid_api_key");
  });

  it("accepts a custom key", async () => {
    const custom = createEmulatorHandler({ apiKey: "sekrit" });
    expect((await custom(chatRequest(valid, { authorization: "Bearer sekrit" }))).status).toBe(200);
    expect((await custom(chatRequest(valid))).status).toBe(401);
  });
});

describe("request validation", () => {
  it("answers 400 for malformed JSON", async () => {
    await expectError(await handler(chatRequest("{not json")), 400, "invalid_json");
  });

  it("answers 400 for a missing model", async () => {
    const body = await expectError(await handler(chatRequest({ messages: valid.messages })), 400);
    expect(body.error.param).toBe("model");
  });

  it("answers 400 model_not_found for an unknown model", async () => {
    const response = await handler(chatRequest({ ...valid, model: "no-such-model" }));
    const body = await expectError(response, 400, "model_not_found");
    expect(body.error.message).toContain("no-such-model");
  });

  it("answers 400 for a model that cannot chat", async () => {
    const response = await handler(chatRequest({ ...valid, model: "text-embedding-3-large" }));
    expect((await expectError(response, 400)).error.param).toBe("model");
  });

  it("answers 400 for missing or empty messages", async () => {
    for (const messages of [undefined, [], "hi"]) {
      const response = await handler(chatRequest({ model: "gpt-5.5", messages }));
      expect((await expectError(response, 400)).error.param).toBe("messages");
    }
  });

  it("answers 400 context_length_exceeded when the prompt outgrows the model", async () => {
    const small = createEmulatorHandler({ models: [{ ...tinyModel }] });
    const response = await small(
      chatRequest({ model: tinyModel.id, messages: [{ role: "user", content: "a ".repeat(200) }] }),
    );
    await expectError(response, 400, "context_length_exceeded");
  });
});

describe("body size limit", () => {
  it("answers 413 from the declared content-length without reading", async () => {
    const request = chatRequest(valid, { "content-length": "999999" });
    await expectError(await handler(request), 413, "request_too_large");
  });

  it("answers 413 when the bytes actually read exceed the limit", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ ...valid, pad: "x".repeat(8000) }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 1000)
          controller.enqueue(bytes.subarray(i, i + 1000));
        controller.close();
      },
    });
    const request = new Request(`${BASE}/v1/chat/completions`, {
      method: "POST",
      headers: AUTH,
      body,
      duplex: "half",
    });
    expect(request.headers.get("content-length")).toBeNull();
    await expectError(await handler(request), 413, "request_too_large");
  });
});

describe("routing errors", () => {
  it("answers 404 for unknown paths", async () => {
    const response = await handler(new Request(`${BASE}/v1/completions`, { headers: AUTH }));
    await expectError(response, 404, "not_found");
  });

  it("answers 405 with Allow for a wrong method", async () => {
    const get = await handler(new Request(`${BASE}/v1/chat/completions`, { headers: AUTH }));
    expect(get.headers.get("allow")).toBe("POST");
    await expectError(get, 405, "method_not_allowed");
    const post = await handler(new Request(`${BASE}/v1/models`, { method: "POST", headers: AUTH }));
    expect(post.headers.get("allow")).toBe("GET");
    await expectError(post, 405);
  });
});

describe("response identifiers", () => {
  it("gives every response a unique request id and a trace id", async () => {
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => handler(chatRequest(valid))),
    );
    const ids = responses.map((r) => r.headers.get("x-request-id"));
    expect(new Set(ids).size).toBe(ids.length);
    for (const response of responses) {
      expect(response.headers.get("x-trace-id")).toMatch(/^[0-9a-f]{32}$/);
      expect(response.headers.get("x-taas-upstream")).toBeNull();
    }
  });

  it("records the ids each response carried, so a client's capture can be matched to it", async () => {
    const emulator = createEmulator();
    const response = await emulator.handle(chatRequest(valid));
    const [record] = emulator.requests();
    expect(record?.requestId).toBe(response.headers.get("x-request-id"));
    expect(record?.traceId).toBe(response.headers.get("x-trace-id"));
  });
});
