import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG, DEFAULT_MODEL_ID } from "./catalog.ts";
import { createEmulatorHandler } from "./emulator.ts";
import { AUTH, BASE } from "./test-support.ts";
import type { EmulatorOptions } from "./types.ts";

function getModels(options: EmulatorOptions, init: RequestInit = {}): Promise<Response> {
  return createEmulatorHandler(options)(
    new Request(`${BASE}/v1/models`, { headers: AUTH, ...init }),
  );
}

function isWellFormedChatRow(row: unknown): boolean {
  if (row === null || typeof row !== "object" || Array.isArray(row)) return false;
  const r = row as Record<string, unknown>;
  const caps = r.capabilities as Record<string, unknown> | null;
  return (
    typeof r.id === "string" &&
    r.id.length > 0 &&
    r.object === "model" &&
    (r.type === "chat" || r.type === "vision") &&
    typeof r.context_window === "number" &&
    typeof r.max_output_tokens === "number" &&
    r.max_output_tokens > 0 &&
    caps !== null &&
    typeof caps === "object" &&
    caps.chat_completions === true &&
    typeof r.pricing === "object"
  );
}

describe("GET /v1/models", () => {
  it("lists the catalog", async () => {
    const response = await getModels({});
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({ object: "list", data: DEFAULT_CATALOG });
  });

  it("serves a catalog override", async () => {
    const models = DEFAULT_CATALOG.slice(0, 2);
    const response = await getModels({ models });
    expect(await response.json()).toEqual({ object: "list", data: models });
  });

  it("lists plain OpenAI rows in openai mode: id, object, created, owned_by only", async () => {
    const now = 1_767_225_600_000;
    const response = await getModels({ modelsListing: "openai", now: () => now });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      object: "list",
      data: DEFAULT_CATALOG.map(({ id }) => ({
        id,
        object: "model",
        created: now / 1000,
        owned_by: "cloudsigma",
      })),
    });
  });

  it("requires the bearer key", async () => {
    const response = await getModels({}, { headers: { authorization: "Bearer nope" } });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe("invalid_api_key");
  });

  it("http-500 answers with an OpenAI error", async () => {
    const response = await getModels({ modelsFault: "http-500" });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error.type).toBe("server_error");
    expect(typeof body.error.message).toBe("string");
  });

  it("malformed-json answers 200 with a truncated list", async () => {
    const response = await getModels({ modelsFault: "malformed-json" });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.startsWith('{"object":"list","data":[')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it("empty-list answers an empty data array", async () => {
    const response = await getModels({ modelsFault: "empty-list" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: "list", data: [] });
  });

  it("wrong-types mixes malformed rows with exactly one well-formed chat row", async () => {
    const response = await getModels({ modelsFault: "wrong-types" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: unknown[] };
    const valid = body.data.filter(isWellFormedChatRow);
    expect(valid).toEqual([DEFAULT_CATALOG.find((m) => m.id === DEFAULT_MODEL_ID)]);
    expect(body.data.length).toBeGreaterThan(valid.length);
    const rows = body.data.filter(
      (r): r is Record<string, unknown> => typeof r === "object" && r !== null,
    );
    expect(rows.some((r) => typeof r.id === "number")).toBe(true);
    expect(rows.some((r) => typeof r.context_window === "string")).toBe(true);
    expect(rows.some((r) => "capabilities" in r && r.capabilities === null)).toBe(true);
  });

  it("slow waits modelsDelayMs and then answers normally", async () => {
    const delay = 60;
    const started = performance.now();
    const response = await getModels({ modelsFault: "slow", modelsDelayMs: delay });
    expect(performance.now() - started).toBeGreaterThanOrEqual(delay - 5);
    expect(await response.json()).toEqual({ object: "list", data: DEFAULT_CATALOG });
  });

  it("slow gives up as soon as the client aborts", async () => {
    const aborter = new AbortController();
    const started = performance.now();
    setTimeout(() => aborter.abort(), 20);
    const response = await getModels(
      { modelsFault: "slow", modelsDelayMs: 10_000 },
      { signal: aborter.signal },
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(response.status).toBe(499);
  });

  it("redirect answers 302 with the configured Location", async () => {
    const defaultRedirect = await getModels({ modelsFault: "redirect" });
    expect(defaultRedirect.status).toBe(302);
    expect(defaultRedirect.headers.get("location")).toBe("http://169.254.169.254/latest/v1/models");
    const custom = await getModels({
      modelsFault: "redirect",
      redirectTo: "http://elsewhere/v1/models",
    });
    expect(custom.headers.get("location")).toBe("http://elsewhere/v1/models");
  });
});
