import type { DatabaseSync } from "node:sqlite";
import { writeProbedGeometry } from "@cloudsigma/taas-core/contracts/probed-geometry";
import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import type { CallRoute } from "@cloudsigma/taas-core/usage/routed-pricing";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterEach, describe, expect, it } from "vitest";
import { useTempDirs } from "../../../test-support/temp-dirs.ts";
import { geometryLookup } from "./cache/geometry.ts";
import { missLogger } from "./cache/miss-log.ts";
import { parseLedgerConfig } from "./config.ts";
import { LedgerPreviousCalls } from "./enrich/previous-call.ts";
import { ReadFailures } from "./enrich/read-failures.ts";
import { type LedgerPipelineOptions, ledgerPipeline } from "./pipeline.ts";
import { probedGeometry } from "./runtime.ts";
import type { LedgerRow } from "./store/columns.ts";

const tempDir = useTempDirs("ledger-pipeline");
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
});

const unknownCost = {
  cost_nusd: null,
  cost_state: "unknown",
  cost_source: null,
  saving_nusd: null,
};

/** One conversation: each call appends two messages to the previous prompt. */
const prefixes = new Map<string, PromptPrefix>();
const routes = new Map<string, CallRoute>();
function turn(n: number, upstream: string, read: number): LedgerRow {
  const callId = `run-${n}:model:1`;
  const messages = Array.from({ length: 2 * n }, (_, i) => `m${i}`);
  prefixes.set(callId, {
    segments: ["sys", ...messages].map((d): [string, number] => [d, 100]),
    tools: 0,
    system: 1,
  });
  routes.set(callId, { upstream, autorouted: false, affinityId: "oc:conversation" });
  const prompt = 2000 * n;
  return sampleRecord({
    eventId: `call:${callId}`,
    callId,
    ts: Date.UTC(2026, 10, 20, 10, n),
    usage: normalizeUsage({ input: prompt - read, output: 5, cacheRead: read, cacheWrite: 0 }),
  });
}

/** The pipeline as the runtime wires it, over in-memory captures. */
function pipeline(path: string, logs: string[] = [], options: Partial<LedgerPipelineOptions> = {}) {
  const previousCalls = new LedgerPreviousCalls(path);
  const warn = (m: string) => logs.push(m);
  const writer = ledgerPipeline({
    path,
    logger: { warn, error: warn },
    routes: { route: (id) => routes.get(id), prefix: (id) => prefixes.get(id) },
    prices: () => ({ input: 1.25, cacheRead: 0.125 }),
    cache: { geometry: geometryLookup(parseLedgerConfig({})), previousCalls },
    onRow: missLogger({ thresholdTokens: 1000, warn }),
    failures: new ReadFailures(warn),
    ...options,
  });
  cleanup.push(() => {
    writer.close();
    previousCalls.close();
  });
  return writer;
}

function read(path: string): DatabaseSync {
  const db = openDatabase(path, { readOnly: true });
  cleanup.push(() => db.close());
  return db;
}

describe("the ledger pipeline (raw records, enriched at batch time, stored)", () => {
  it("stores each call's route, affinity id and cause, also across a restart", () => {
    const path = `${tempDir()}/ledger.sqlite`;
    const first = pipeline(path);
    first.enqueue(turn(1, "replica-1", 0));
    first.enqueue(turn(2, "replica-1", 1920));
    first.close();
    // A restarted gateway finds the previous call of the id in the ledger itself.
    const logs: string[] = [];
    const second = pipeline(path, logs);
    second.enqueue(turn(3, "replica-2", 0));
    second.close();
    const rows = read(path)
      .prepare(
        "SELECT call_id, upstream_route, affinity_id, expected_cache_read, missed_tokens, miss_cause, missed_cost_nusd FROM usage_rows ORDER BY ts",
      )
      .all();
    const call = (n: number) => ({ call_id: `run-${n}:model:1`, affinity_id: "oc:conversation" });
    expect(rows).toEqual([
      {
        ...call(1),
        upstream_route: "replica-1",
        expected_cache_read: 0,
        missed_tokens: 0,
        miss_cause: "cold",
        missed_cost_nusd: 0,
      },
      {
        ...call(2),
        upstream_route: "replica-1",
        expected_cache_read: 1920,
        missed_tokens: 0,
        miss_cause: "none",
        missed_cost_nusd: 0,
      },
      // Billed as uncached input ($1.25/M) instead of a cache read ($0.125/M).
      {
        ...call(3),
        upstream_route: "replica-2",
        expected_cache_read: 3968,
        missed_tokens: 3968,
        miss_cause: "replica_switch",
        missed_cost_nusd: 3968 * 1125,
      },
    ]);
    // The warm-miss line comes from the stored row: same cause, same model.
    expect(logs).toEqual([
      "cache miss: agent main lost 3968 cacheable prompt tokens (replica_switch) on cloudsigma/gpt-5.5",
    ]);
  });

  it("reads the route when the batch goes out, not when the call is queued", () => {
    const path = `${tempDir()}/ledger.sqlite`;
    const writer = pipeline(path);
    const record = turn(1, "replica-1", 0);
    routes.delete(record.callId ?? "");
    writer.enqueue(record);
    // The optimizer's capture lands a moment after the response, before the batch timer.
    routes.set(record.callId ?? "", {
      upstream: "replica-7",
      autorouted: false,
      affinityId: "oc:late",
    });
    writer.flush();
    expect(read(path).prepare("SELECT upstream_route, affinity_id FROM usage_rows").get()).toEqual({
      upstream_route: "replica-7",
      affinity_id: "oc:late",
    });
  });

  it("enriches a row once: a batch retried after a lock keeps the rows it had", () => {
    const path = `${tempDir()}/ledger.sqlite`;
    const enriched: string[] = [];
    const logs: string[] = [];
    const writer = pipeline(path, logs, {
      busyTimeoutMs: 0,
      onRow: (row) => enriched.push(row.eventId),
    });
    writer.enqueue(turn(1, "replica-1", 0));
    writer.flush();
    const blocker = openDatabase(path);
    blocker.exec("BEGIN IMMEDIATE");
    writer.enqueue(turn(2, "replica-1", 1920));
    for (let attempt = 0; attempt < 3; attempt++) expect(writer.flush().queued).toBe(1);
    blocker.exec("ROLLBACK");
    blocker.close();
    expect(writer.flush()).toMatchObject({ inserted: 1, queued: 0 });
    expect(enriched).toEqual(["call:run-1:model:1", "call:run-2:model:1"]);
    // Enriched once, the second call is still compared with the first, not with itself.
    expect(read(path).prepare("SELECT miss_cause FROM usage_rows ORDER BY ts").all()).toEqual([
      { miss_cause: "cold" },
      { miss_cause: "none" },
    ]);
    expect(logs).toEqual([expect.stringMatching(/is busy .*1 row\(s\) kept/)]);
  });

  it("keeps a row whose price passes the ledger's range, its cost unknown (a price of 1e308)", () => {
    const path = `${tempDir()}/ledger.sqlite`;
    const logs: string[] = [];
    const writer = pipeline(path, logs, {
      prices: () => ({ input: 1e308, output: 1e308, cacheRead: 1 }),
    });
    writer.enqueue(turn(1, "replica-1", 0));
    writer.enqueue(turn(2, "replica-1", 1920)); // a saving past the range
    writer.enqueue(turn(3, "replica-2", 0)); // a missed cost past the range
    expect(writer.flush()).toEqual({ inserted: 3, duplicates: 0, queued: 0 });
    const figures =
      "SELECT cost_nusd, cost_state, cost_source, saving_nusd, missed_cost_nusd FROM usage_rows ORDER BY ts";
    expect(read(path).prepare(figures).all()).toEqual([
      { ...unknownCost, saving_nusd: 0, missed_cost_nusd: 0 },
      { ...unknownCost, saving_nusd: null, missed_cost_nusd: 0 },
      { ...unknownCost, saving_nusd: 0, missed_cost_nusd: null },
    ]);
    expect(
      read(path)
        .prepare(
          "SELECT sum(rows) AS rows, sum(cost_nusd) AS cost_nusd, sum(cost_unknown_rows) AS cost_unknown_rows FROM usage_hourly",
        )
        .all(),
    ).toEqual([{ rows: 3, cost_nusd: 0, cost_unknown_rows: 3 }]);
    // No row refused: no "database unavailable", nothing dropped (the warm miss is logged).
    expect(logs).toEqual([expect.stringMatching(/^cache miss: agent main lost 3968/)]);
  });

  it("fills each call row's upstream when it is written, surviving a failing lookup", () => {
    const path = `${tempDir()}/ledger.sqlite`;
    const seen: string[] = [];
    const logs: string[] = [];
    const writer = pipeline(path, logs, {
      routes: {
        route: (callId) => {
          seen.push(callId);
          if (callId.endsWith(":2")) throw new Error("route store down");
          return { upstream: "replica-3", autorouted: false };
        },
        prefix: () => undefined,
      },
    });
    writer.enqueue(sampleRecord({ eventId: "e1", callId: "run-1:model:1" }));
    writer.enqueue(sampleRecord({ eventId: "e2", callId: "run-1:model:2" }));
    writer.enqueue(sampleRecord({ eventId: "e3", callId: "run-1:model:3", upstreamRoute: "kept" }));
    expect(writer.flush().inserted).toBe(3);
    const rows = read(path).prepare("SELECT upstream_route FROM usage_rows ORDER BY id").all();
    expect(rows.map((r) => r.upstream_route)).toEqual(["replica-3", null, "kept"]);
    // A row with a route is still looked up: its capture carries the affinity id too.
    expect(seen).toEqual(["run-1:model:1", "run-1:model:2", "run-1:model:3"]);
    expect(logs).toEqual([
      expect.stringMatching(/^route store read failed \(unavailable: route store down\)/),
    ]);
  });

  it("prices an autorouted call by the model TaaS routed it to, and keeps both models", () => {
    const path = `${tempDir()}/ledger.sqlite`;
    const routed: Record<string, CallRoute> = {
      "auto:model:1": { upstream: "replica-1", autorouted: true, routedModel: "gpt-5.5" },
      "auto:model:2": { upstream: "replica-1", autorouted: true }, // TaaS did not say where
      "auto:model:3": { upstream: "replica-2", autorouted: true, routedModel: "unpriced-model" },
    };
    const writer = pipeline(path, [], {
      routes: { route: (callId) => routed[callId], prefix: () => undefined },
      // The operator priced gpt-5.5 only; nobody priced `auto`.
      prices: (provider, model) =>
        provider === "cloudsigma" && model === "gpt-5.5"
          ? { input: 1.25, output: 10, cacheRead: 0.125 }
          : undefined,
    });
    // As the tracker emits them: priced by the requested model, whose host cost was 0.
    const asked = {
      model: "auto",
      costNano: null,
      costState: "unknown",
      costSource: null,
    } as const;
    for (const n of [1, 2, 3]) {
      writer.enqueue(sampleRecord({ ...asked, eventId: `e${n}`, callId: `auto:model:${n}` }));
    }
    writer.flush();
    const rows = read(path)
      .prepare(
        "SELECT model, routed_model, upstream_route, cost_nusd, cost_state, cost_source, saving_nusd FROM usage_rows ORDER BY id",
      )
      .all();
    expect(rows).toEqual([
      {
        model: "auto",
        routed_model: "gpt-5.5",
        upstream_route: "replica-1",
        // 176 x 1.25 + 5 x 10 + 1024 x 0.125 USD per million tokens, in nano-dollars.
        cost_nusd: 398_000,
        cost_state: "known",
        cost_source: "catalog",
        saving_nusd: 1024 * (1.25 - 0.125) * 1000,
      },
      { ...unknownCost, model: "auto", routed_model: null, upstream_route: "replica-1" },
      {
        ...unknownCost,
        model: "auto",
        routed_model: "unpriced-model",
        upstream_route: "replica-2",
      },
    ]);
    // The rollup agrees: --by model sees the routed model, --by requested-model sees auto.
    expect(
      read(path)
        .prepare(
          "SELECT model, routed_model, rows, cost_nusd, cost_unknown_rows FROM usage_hourly ORDER BY routed_model",
        )
        .all(),
    ).toEqual([
      { model: "auto", routed_model: "", rows: 1, cost_nusd: 0, cost_unknown_rows: 1 },
      { model: "auto", routed_model: "gpt-5.5", rows: 1, cost_nusd: 398_000, cost_unknown_rows: 0 },
      {
        model: "auto",
        routed_model: "unpriced-model",
        rows: 1,
        cost_nusd: 0,
        cost_unknown_rows: 1,
      },
    ]);
  });

  it("prices a call that was not autorouted by its own model, stated prices over the host's", () => {
    const path = `${tempDir()}/ledger.sqlite`;
    const writer = pipeline(path, [], {
      routes: {
        route: () => ({ upstream: "replica-1", autorouted: false, routedModel: "other" }),
        prefix: () => undefined,
      },
      // No cache-read price: the call's cache reads leave it partial.
      prices: (_provider, model) => (model === "gpt-5.5" ? { input: 100, output: 100 } : undefined),
    });
    writer.enqueue(sampleRecord());
    writer.flush();
    expect(
      read(path)
        .prepare("SELECT model, routed_model, cost_nusd, cost_state, cost_source FROM usage_rows")
        .get(),
    ).toEqual({
      model: "gpt-5.5",
      routed_model: null,
      cost_nusd: 1000 * (176 * 100 + 5 * 100),
      cost_state: "partial",
      cost_source: "catalog",
    });
  });
});

describe("a model's probed geometry in the accounting", () => {
  it("accounts a model with what the probe saved for the endpoint its host config names, and the default without", async () => {
    const stateDir = tempDir();
    const endpoint = "http://127.0.0.1:8787/v1";
    const probed = {
      probedAt: "2026-12-08T01:00:00.000Z",
      minTokens: 4096,
      stepTokens: 128,
      plateauTokens: null,
      searchedTokens: 6148,
      readyDelayMs: 0,
      ttlMs: null,
      reportsWrites: false,
    };
    await writeProbedGeometry(stateDir, endpoint, ["cloudsigma"], "gpt-5.5", probed);
    const expectedRead = (hostConfig: unknown) => {
      const path = `${tempDir()}/ledger.sqlite`;
      const geometry = geometryLookup(
        parseLedgerConfig({}),
        probedGeometry(
          () => stateDir,
          () => hostConfig,
        ),
      );
      const previousCalls = new LedgerPreviousCalls(path);
      cleanup.push(() => previousCalls.close());
      const writer = pipeline(path, [], { cache: { geometry, previousCalls } });
      writer.enqueue(turn(1, "replica-1", 0));
      writer.enqueue(turn(2, "replica-1", 0));
      writer.close();
      return read(path)
        .prepare("SELECT expected_cache_read, miss_cause FROM usage_rows ORDER BY ts")
        .all()
        .at(-1);
    };
    const at = (baseUrl: string) => ({ models: { providers: { cloudsigma: { baseUrl } } } });
    // The 2,000-token prompt the second call shares is under the probed 4,096-token minimum.
    expect(expectedRead(at(endpoint))).toEqual({
      expected_cache_read: 0,
      miss_cause: "below_minimum",
    });
    expect(expectedRead(undefined)).toEqual({
      expected_cache_read: 0,
      miss_cause: "below_minimum",
    });
    // Probed at another endpoint than the one configured: the defaults (1,024-token minimum).
    expect(expectedRead(at("https://taas.example/v1"))).toMatchObject({
      expected_cache_read: 1920,
    });
  });
});
