import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "./catalog.ts";
import { startEmulator } from "./server.ts";
import { AUTH, parseSse } from "./test-support.ts";
import type { RunningEmulator, StartOptions } from "./types.ts";

const running: RunningEmulator[] = [];

async function start(options: StartOptions = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator(options);
  running.push(emulator);
  return emulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

const chat = { model: "gpt-5.5", messages: [{ role: "user", content: "over the wire" }] };

describe("startEmulator", () => {
  it("listens on 127.0.0.1 with an ephemeral port and serves /v1/models", async () => {
    const emulator = await start();
    expect(emulator.port).toBeGreaterThan(0);
    expect(emulator.origin).toBe(`http://127.0.0.1:${emulator.port}`);
    expect(emulator.url).toBe(`${emulator.origin}/v1`);
    const response = await fetch(`${emulator.url}/models`, { headers: AUTH });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    const body = (await response.json()) as { data: unknown[] };
    expect(body.data).toHaveLength(DEFAULT_CATALOG.length);
  });

  it("streams SSE chat completions over HTTP and records them", async () => {
    const emulator = await start({ replicas: 2, upstreamHeader: true });
    const response = await fetch(`${emulator.url}/chat/completions`, {
      method: "POST",
      headers: {
        ...AUTH,
        "content-type": "application/json",
        "x-session-id": "wire",
        "x-openclaw-agent-id": "main",
      },
      body: JSON.stringify({ ...chat, stream: true, stream_options: { include_usage: true } }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body?.getReader();
    if (reader === undefined) throw new Error("no body");
    const decoder = new TextDecoder();
    let text = "";
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      text += decoder.decode(part.value, { stream: true });
    }
    const events = parseSse(text);
    expect(events.at(-1)).toBe("[DONE]");
    expect(events.length).toBeGreaterThan(3);
    const [record] = emulator.requests();
    expect(record).toMatchObject({
      path: "/v1/chat/completions",
      stream: true,
      routingKey: "wire",
    });
    expect(record?.replica).toBe(response.headers.get("x-taas-upstream"));
    expect(emulator.stats().totals.requests).toBe(1);
  });

  it("answers 413 over HTTP for declared and for chunked oversized bodies", async () => {
    const emulator = await start({ maxBodyBytes: 256 });
    const big = JSON.stringify({ ...chat, pad: "x".repeat(2048) });
    const declared = await fetch(`${emulator.url}/chat/completions`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: big,
    });
    expect(declared.status).toBe(413);
    const bytes = new TextEncoder().encode(big);
    const chunked = await fetch(`${emulator.url}/chat/completions`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 200)
            controller.enqueue(bytes.subarray(i, i + 200));
          controller.close();
        },
      }),
      duplex: "half",
    });
    expect(chunked.status).toBe(413);
    const body = (await chunked.json()) as { error: { code: string } };
    expect(body.error.code).toBe("request_too_large");
    for (let i = 0; i < 3; i++) {
      const next = await fetch(`${emulator.url}/chat/completions`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: JSON.stringify(chat),
        signal: AbortSignal.timeout(5_000),
      });
      expect(next.status).toBe(200);
    }
  });

  it("aborts a slow /v1/models when the client goes away", async () => {
    const emulator = await start({ modelsFault: "slow", modelsDelayMs: 10_000 });
    const request = fetch(`${emulator.url}/models`, {
      headers: AUTH,
      signal: AbortSignal.timeout(100),
    });
    await expect(request).rejects.toThrow();
    for (let i = 0; i < 100 && emulator.requests().length === 0; i++) await sleep(20);
    expect(emulator.requests()[0]?.status).toBe(499);
  });

  it("exposes reset() and releases the port on close()", async () => {
    const emulator = await startEmulator();
    await fetch(`${emulator.url}/chat/completions`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify(chat),
    });
    expect(emulator.requests()).toHaveLength(1);
    emulator.reset();
    expect(emulator.requests()).toHaveLength(0);
    expect(await portIsFree(emulator.port)).toBe(false);
    await emulator.close();
    await emulator.close();
    expect(await portIsFree(emulator.port)).toBe(true);
  });
});
