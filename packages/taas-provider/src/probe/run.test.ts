import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbedGeometryReader } from "@cloudsigma/taas-core/contracts/probed-geometry";
import {
  cacheProfileFor,
  DEFAULT_API_KEY,
  type EmulatorOptions,
  resolveOptions,
} from "@cloudsigma/taas-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_MEASURE } from "./measure.ts";
import type { ProbeReport } from "./output.ts";
import { emulatedEndpoint } from "./probe.test-support.ts";
import { type ProbeIo, type ProbeRun, runProbe } from "./run.ts";

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "probe-run-"));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

const BASE_URL = "http://127.0.0.1:8787/v1";

const run = (over: Partial<ProbeRun> = {}): ProbeRun => ({
  baseUrl: BASE_URL,
  apiKey: DEFAULT_API_KEY,
  models: ["gpt-5.5"],
  measure: DEFAULT_MEASURE,
  caps: { maxRequests: 120, maxTokens: 400_000 },
  timeoutMs: 5_000,
  json: true,
  yes: true,
  ...over,
});

/** The run's io against an endpoint (the emulator unless `fetch` says otherwise), with what it printed. */
function io(options: EmulatorOptions = {}, fetch?: typeof globalThis.fetch) {
  const endpoint = emulatedEndpoint(options);
  const printed = { out: "", err: "" };
  let fetched = 0;
  const counting: typeof globalThis.fetch = (input, init) => {
    fetched += 1;
    return (fetch ?? endpoint.fetch)(input, init);
  };
  const value: ProbeIo = {
    stateDir,
    prices: (_provider, model) =>
      model === "gpt-5.5" ? { input: 1.25, output: 10, cacheRead: 0.125 } : undefined,
    pluginVersion: "test",
    clock: endpoint.clock,
    fetch: counting,
    out: (text) => {
      printed.out += text;
    },
    err: (text) => {
      printed.err += text;
    },
    confirm: undefined,
    now: () => new Date("2026-12-08T01:00:00.000Z"),
  };
  return { io: value, printed, fetched: () => fetched, endpoint };
}

/** The stop line: the last line on stderr. */
const stopLine = (err: string) => err.trimEnd().split("\n").at(-1) ?? "";

describe("cloudsigma probe", () => {
  it("estimates, measures, prices what it spent and saves the geometry for the ledger", async () => {
    const t = io();
    expect(await runProbe(run(), t.io)).toBe(0);
    expect(t.printed.err).toMatch(/gpt-5\.5: about \d+ requests, [\d,]+ tokens, \$\d+\.\d{4}/);
    const report = JSON.parse(t.printed.out) as ProbeReport;
    const [model] = report.models;
    expect(model?.probe).toMatchObject({
      model: "gpt-5.5",
      minTokens: 1024,
      stepTokens: 128,
      plateauTokens: 4864,
    });
    expect(model?.spent.requests).toBe(t.fetched());
    expect(model?.costUsd).toBeGreaterThan(0);
    const saved = new ProbedGeometryReader(stateDir).lookup("cloudsigma", "gpt-5.5", BASE_URL);
    expect(saved).toMatchObject({
      probedAt: "2026-12-08T01:00:00.000Z",
      minTokens: 1024,
      stepTokens: 128,
      plateauTokens: 4864,
      readyDelayMs: 0,
      ttlMs: null,
    });
  });

  it("keeps the rate across the models of one run, so the second model's reads stay on its replica", async () => {
    const t = io({ profile: "documented" });
    const models = ["gpt-5.5", "claude-opus-4.8"];
    expect(await runProbe(run({ models, json: true }), t.io)).toBe(0);
    const truth = resolveOptions({ profile: "documented" });
    const report = JSON.parse(t.printed.out) as ProbeReport;
    expect(report.models.map((m) => [m.probe.minTokens, m.probe.stepTokens])).toEqual(
      models.map((model) => [cacheProfileFor(model, truth).minTokens, truth.cacheStepTokens]),
    );
  });

  it.each([
    [
      "http://taas.example/v1",
      /refused to send the API key over plain http:\/\/ to "taas\.example"/,
    ],
    ["https://user:pw@taas.example/v1", /is not a plain http\(s\) URL/],
  ])("sends nothing to %s", async (baseUrl, line) => {
    const t = io();
    expect(await runProbe(run({ baseUrl }), t.io)).toBe(2);
    expect(t.fetched()).toBe(0);
    expect(stopLine(t.printed.err)).toMatch(line);
  });

  it("sends nothing without --yes when nobody can confirm", async () => {
    const t = io();
    expect(await runProbe(run({ yes: false }), t.io)).toBe(2);
    expect(t.fetched()).toBe(0);
    expect(stopLine(t.printed.err)).toBe(
      "cloudsigma probe: not run: nobody to confirm the spend; add --yes to run it",
    );
  });

  it.each([
    {
      label: "a refused key",
      options: { apiKey: "another-key" },
      fetch: undefined,
      line: /^cloudsigma probe: stopped: "http:\/\/127\.0\.0\.1:8787\/v1" refused the API key \(HTTP 401\); spent 1 requests/,
    },
    {
      label: "no answer in time",
      options: {},
      fetch: ((_input, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
        )) as typeof globalThis.fetch,
      line: /^cloudsigma probe: stopped: no answer from "http:\/\/127\.0\.0\.1:8787\/v1" within 0\.05 s \(gpt-5\.5\); spent 1 requests/,
    },
    {
      label: "malformed usage",
      options: {},
      fetch: (async () =>
        Response.json({
          choices: [],
          usage: { prompt_tokens: "many" },
        })) as typeof globalThis.fetch,
      line: /^cloudsigma probe: stopped: .* without usable usage \(prompt_tokens is not a token count\); spent 1 requests/,
    },
  ])(
    "stops at $label with one line, sending nothing more and saving nothing",
    async ({ options, fetch, line }) => {
      const t = io(options, fetch);
      expect(await runProbe(run({ timeoutMs: 50 }), t.io)).toBe(1);
      expect(t.fetched()).toBe(1);
      expect(stopLine(t.printed.err)).toMatch(line);
      expect(t.printed.out).toBe("");
      expect(new ProbedGeometryReader(stateDir).lookup("cloudsigma", "gpt-5.5")).toBeUndefined();
    },
  );

  it("stops at its request cap before sending past it", async () => {
    const t = io();
    expect(await runProbe(run({ caps: { maxRequests: 3, maxTokens: 400_000 } }), t.io)).toBe(1);
    expect(t.fetched()).toBe(3);
    expect(stopLine(t.printed.err)).toMatch(
      /stopped: the request cap \(3\) is reached; raise it with --max-requests; spent 3 requests/,
    );
  });

  it("stops before a request that would pass its token cap", async () => {
    const t = io();
    expect(await runProbe(run({ caps: { maxRequests: 120, maxTokens: 10_000 } }), t.io)).toBe(1);
    expect(t.fetched()).toBe(1);
    expect(stopLine(t.printed.err)).toMatch(/would pass the token cap \(10000\)/);
  });
});
