import { describe, expect, it } from "vitest";
import { createEmulator } from "./emulator.ts";
import { emptyDraft, Recorder } from "./recorder.ts";
import { AUTH, BASE, chatRequest, filler, postChat, userMessage } from "./test-support.ts";
import type { EmulatorStats, RecordedRequest } from "./types.ts";

const chatBody = {
  model: "gpt-5.5",
  messages: [userMessage("hi")],
  metadata: { sticky_key: "k1", openclaw_correlation: { agent_id: "main" } },
};

function draft(path: string): Omit<RecordedRequest, "seq"> {
  const record = emptyDraft({ time: 0, method: "GET", path, headers: {} });
  return { ...record, status: 200, requestId: "req_x", traceId: "t" };
}

describe("Recorder", () => {
  it("keeps only the newest recordLimit entries, oldest first", () => {
    const recorder = new Recorder(3);
    for (let i = 0; i < 5; i++) recorder.add(draft(`/p${i}`));
    const records = recorder.list();
    expect(records.map((r) => r.path)).toEqual(["/p2", "/p3", "/p4"]);
    expect(records.map((r) => r.seq)).toEqual([3, 4, 5]);
  });
});

describe("request recording", () => {
  it("records chat requests with routing, tokens and a redacted authorization header", async () => {
    let clock = 42_000;
    const emulator = createEmulator({ now: () => clock });
    const { json } = await postChat(emulator.handle, chatBody, { "X-Custom-Header": "v" });
    clock += 1;
    const [record] = emulator.requests();
    const usage = json.usage as { prompt_tokens: number; completion_tokens: number };
    expect(record).toMatchObject({
      seq: 1,
      time: 42_000,
      method: "POST",
      path: "/v1/chat/completions",
      status: 200,
      body: chatBody,
      model: "gpt-5.5",
      routingKey: "k1",
      routingSource: "metadata.sticky_key",
      agentId: "main",
      matchReason: "external_id_new",
      promptTokens: usage.prompt_tokens,
      cachedTokens: 0,
      completionTokens: usage.completion_tokens,
      stream: false,
    });
    expect(record?.replica).toMatch(/^replica-\d+$/);
    expect(record?.headers.authorization).toBe("Bearer <redacted>");
    expect(record?.headers["x-custom-header"]).toBe("v");
    expect(JSON.stringify(emulator.requests())).not.toContain(AUTH.authorization);
  });

  it("records errors and unknown paths too, but not inspection calls", async () => {
    const emulator = createEmulator();
    await emulator.handle(chatRequest("{bad"));
    await emulator.handle(new Request(`${BASE}/nowhere`, { headers: AUTH }));
    await emulator.handle(new Request(`${BASE}/__emulator/requests`));
    expect(emulator.requests().map((r) => [r.path, r.status])).toEqual([
      ["/v1/chat/completions", 400],
      ["/nowhere", 404],
    ]);
    expect(emulator.requests()[0]?.replica).toBeNull();
  });

  it("bounds the buffer at recordLimit", async () => {
    const limit = 4;
    const emulator = createEmulator({ recordLimit: limit });
    for (let i = 0; i < limit + 3; i++) await postChat(emulator.handle, chatBody);
    const records = emulator.requests();
    expect(records).toHaveLength(limit);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: limit }, (_, i) => i + 4));
  });
});

describe("inspection endpoints", () => {
  it("serves requests and per-replica stats without a key, and reset clears everything", async () => {
    const emulator = createEmulator({ replicas: 2 });
    const long = {
      model: "gpt-5.5",
      messages: [{ role: "system", content: filler(1500) }, userMessage("s")],
    };
    for (let i = 0; i < 3; i++)
      await postChat(emulator.handle, { ...long, prompt_cache_key: "pk" });
    await postChat(emulator.handle, chatBody);

    const listed = await emulator.handle(new Request(`${BASE}/__emulator/requests`));
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ requests: emulator.requests() });

    const statsResponse = await emulator.handle(new Request(`${BASE}/__emulator/stats`));
    const stats = (await statsResponse.json()) as EmulatorStats;
    expect(stats).toEqual(emulator.stats());
    expect(stats.replicas.map((r) => r.name)).toEqual(["replica-1", "replica-2"]);
    const records = emulator.requests();
    const sum = (pick: (r: RecordedRequest) => number | null) =>
      records.reduce((total, r) => total + (pick(r) ?? 0), 0);
    expect(stats.totals.requests).toBe(records.length);
    expect(stats.totals.promptTokens).toBe(sum((r) => r.promptTokens));
    expect(stats.totals.cachedTokens).toBe(sum((r) => r.cachedTokens));
    expect(stats.totals.cachedTokens).toBeGreaterThan(0);
    for (const replica of stats.replicas) {
      const mine = records.filter((r) => r.replica === replica.name);
      expect(replica.requests).toBe(mine.length);
      expect(replica.cachedTokens).toBe(mine.reduce((t, r) => t + (r.cachedTokens ?? 0), 0));
    }

    const reset = await emulator.handle(
      new Request(`${BASE}/__emulator/reset`, { method: "POST" }),
    );
    expect(reset.status).toBe(200);
    expect(emulator.requests()).toEqual([]);
    expect(emulator.stats().totals).toEqual({
      requests: 0,
      promptTokens: 0,
      cachedTokens: 0,
      completionTokens: 0,
      cacheEntries: 0,
    });
    const after = await postChat(emulator.handle, { ...long, prompt_cache_key: "pk" });
    expect(
      (after.json.usage as { prompt_tokens_details: { cached_tokens: number } })
        .prompt_tokens_details.cached_tokens,
    ).toBe(0);
    expect(emulator.requests().map((r) => r.seq)).toEqual([1]);
  });
});
