import type { LookupAddress } from "node:dns";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  DEFAULT_API_KEY,
  DEFAULT_CATALOG,
  type RunningEmulator,
  type StartOptions,
  startEmulator,
} from "@cloudsigma/taas-emulator";
import { afterEach, describe, expect, it } from "vitest";
import {
  type DiscoveryResult,
  discoverModels,
  isLoopbackHost,
  MAX_DISCOVERED_ROWS,
  modelsEndpoint,
} from "./discovery.ts";

const started: Array<{ close(): Promise<void> }> = [];

/** A bare /models endpoint on loopback answering `body`, for listings the emulator never sends. */
async function serveModels(body: string): Promise<{ url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  started.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1` };
}

async function emulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const running = await startEmulator(options);
  started.push(running);
  return running;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((running) => running.close()));
});

function discover(baseUrl: string, extra: { timeoutMs?: number; apiKey?: string } = {}) {
  return discoverModels({ baseUrl, apiKey: extra.apiKey ?? DEFAULT_API_KEY, ...extra });
}

function requireOk(result: DiscoveryResult) {
  if (!result.ok) throw new Error(`discovery failed: ${result.reason}`);
  return result;
}

function modelsRequests(running: RunningEmulator) {
  return running.requests().filter((request) => request.path.endsWith("/models"));
}

describe("discoverModels against the emulator", () => {
  it("lists every chat-capable row with the bearer key; image only for declared vision", async () => {
    const running = await emulator();
    const result = requireOk(await discover(running.url));
    const chatRows = DEFAULT_CATALOG.filter(
      (row) => (row.type === "chat" || row.type === "vision") && row.capabilities.chat_completions,
    );
    expect(result.models.map((model) => model.id)).toEqual(chatRows.map((row) => row.id));
    for (const row of chatRows) {
      const model = result.models.find((candidate) => candidate.id === row.id);
      const image = row.type === "vision" && row.capabilities.vision;
      expect(model?.input.includes("image"), row.id).toBe(image);
      expect(model?.contextWindow, row.id).toBe(row.context_window);
    }
    expect(result.notChat).toBe(DEFAULT_CATALOG.length - chatRows.length);
    // The emulator records the header redacted; a 200 means it matched the bearer key.
    expect(modelsRequests(running)).toMatchObject([
      { status: 200, headers: { authorization: expect.stringMatching(/^Bearer /) } },
    ]);
  });

  it.each([
    ["http-500", /HTTP 500/],
    ["malformed-json", /not valid JSON/],
  ] as const)("reports %s as a failure reason", async (fault, reason) => {
    const running = await emulator({ modelsFault: fault });
    const result = await discover(running.url);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });

  it("returns an empty list as a success with no rows (the caller falls back)", async () => {
    const running = await emulator({ modelsFault: "empty-list" });
    expect(requireOk(await discover(running.url)).models).toEqual([]);
  });

  it("skips each wrong-typed row alone and keeps the one well-formed row", async () => {
    const running = await emulator({ modelsFault: "wrong-types" });
    const raw: unknown = await fetch(`${running.url}/models`, {
      headers: { authorization: `Bearer ${DEFAULT_API_KEY}` },
    }).then((response) => response.json());
    const rawRows = (raw as { data: unknown[] }).data;
    const result = requireOk(await discover(running.url));
    expect(result.models).toHaveLength(1);
    expect(result.malformed).toBe(rawRows.length - result.models.length);
  });

  it("gives up on a slow answer at the time budget", async () => {
    const running = await emulator({ modelsFault: "slow", modelsDelayMs: 10_000 });
    const startedAt = Date.now();
    const result = await discover(running.url, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, reason: "no answer within 300 ms" });
    expect(Date.now() - startedAt).toBeLessThan(3_000);
  });

  it("refuses a redirect to another host and never reaches it", async () => {
    const elsewhere = await emulator();
    const running = await emulator({
      modelsFault: "redirect",
      redirectTo: `${elsewhere.url}/models`,
    });
    const result = await discover(running.url);
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/refused a redirect/),
    });
    expect(modelsRequests(elsewhere)).toEqual([]);
  });

  it("refuses a redirect to the cloud metadata address", async () => {
    const running = await emulator({
      modelsFault: "redirect",
      redirectTo: "http://169.254.169.254/latest/v1/models",
    });
    expect(await discover(running.url)).toMatchObject({ ok: false });
  });

  it("reports a rejected key as an auth failure", async () => {
    const running = await emulator();
    expect(await discover(running.url, { apiKey: "wrong-key" })).toMatchObject({
      ok: false,
      authRejected: true,
      reason: expect.stringMatching(/rejected the API key \(HTTP 401\)/),
    });
  });

  it("reports a closed port as a network failure", async () => {
    const running = await emulator();
    await running.close();
    expect(await discover(running.url)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/network failure/),
    });
  });
});

describe("discoverModels address rules", () => {
  it.each([
    "ftp://taas.cloudsigma.com/v1",
    "file:///etc/passwd",
    "http://user:secret@taas.cloudsigma.com/v1",
    "not a url",
  ])("refuses %s without a request", async (baseUrl) => {
    expect(modelsEndpoint(baseUrl)).toBeUndefined();
    expect(await discover(baseUrl)).toMatchObject({
      ok: false,
      reason: "the base URL is not a plain http(s) URL",
    });
  });

  it("never sends the key over plain http to a host that is not loopback", async () => {
    const running = await emulator();
    // Even a name that resolves to this machine: the key would cross the network in clear text
    // wherever the name points next.
    const lookupFn = async (): Promise<LookupAddress[]> => [{ address: "127.0.0.1", family: 4 }];
    for (const baseUrl of [
      `http://taas.example.test:${running.port}/v1`,
      `http://10.0.0.8:${running.port}/v1`,
    ]) {
      const result = await discoverModels({ baseUrl, apiKey: DEFAULT_API_KEY, lookupFn });
      expect(result).toMatchObject({
        ok: false,
        reason: expect.stringMatching(
          /refused to send the API key over plain http:\/\/ .*use https/,
        ),
      });
    }
    expect(modelsRequests(running)).toEqual([]);
    // Loopback by address or by name stays allowed (the emulator, a local proxy).
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("127.evil.test")).toBe(false);
  });

  it("refuses a listing nested past any real shape, and reads at most 2,000 rows", async () => {
    const deep = await serveModels(`{"object":"list","data":${"[".repeat(40)}${"]".repeat(40)}}`);
    expect(await discover(deep.url)).toMatchObject({
      ok: false,
      reason: "the model list nests deeper than 32 levels",
    });
    const rows = Array.from({ length: 2_500 }, (_, i) => ({
      id: `model-${i}`,
      object: "model",
      type: "chat",
      capabilities: { chat_completions: true },
    }));
    const wide = await serveModels(JSON.stringify({ object: "list", data: rows }));
    const result = requireOk(await discover(wide.url));
    expect(result.models).toHaveLength(MAX_DISCOVERED_ROWS);
    expect(result.cut).toBe(500);
  });

  it("builds the endpoint under the base path, dropping query and fragment", () => {
    expect(modelsEndpoint("https://taas.cloudsigma.com/v1/?x=1#y")?.toString()).toBe(
      "https://taas.cloudsigma.com/v1/models",
    );
  });
});
