import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import { sampleRecord, sampleRecords } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterEach, describe, expect, it } from "vitest";
import type { CallRoute } from "../enrich/route-price.ts";
import { LedgerWriter, type LedgerWriterOptions } from "./writer.ts";

const unknownCost = {
  cost_nusd: null,
  cost_state: "unknown",
  cost_source: null,
  saving_nusd: null,
};

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "ledger-writer-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "usage-ledger", "ledger.sqlite");
}

function writer(options: Partial<LedgerWriterOptions> & { path: string }) {
  const logs: string[] = [];
  const w = new LedgerWriter({
    logger: { warn: (m) => logs.push(`warn: ${m}`), error: (m) => logs.push(`error: ${m}`) },
    ...options,
  });
  cleanup.push(() => w.close());
  return { w, logs };
}

function read(path: string): DatabaseSync {
  const db = openDatabase(path, { readOnly: true });
  cleanup.push(() => db.close());
  return db;
}

const count = (db: DatabaseSync, sql: string) => Number((db.prepare(sql).get() as { n: number }).n);

describe("LedgerWriter", () => {
  it("opens nothing until the first flush, then a private WAL database with STRICT tables", () => {
    const path = tempPath();
    const { w } = writer({ path });
    w.enqueue(sampleRecord());
    expect(existsSync(path)).toBe(false);
    expect(w.flush()).toEqual({ inserted: 1, duplicates: 0, queued: 0 });
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    const db = read(path);
    expect(db.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    const strict = db
      .prepare("SELECT name FROM pragma_table_list WHERE strict = 1 ORDER BY name")
      .all();
    expect(strict.map((r) => r.name)).toEqual([
      "forward_marks",
      "usage_daily",
      "usage_hourly",
      "usage_rows",
    ]);
  });

  it("fills each call row's upstream from the route seam when it is written, surviving a failing lookup", () => {
    const path = tempPath();
    const seen: string[] = [];
    const { w } = writer({
      path,
      routeLookup: (callId) => {
        seen.push(callId);
        if (callId.endsWith(":2")) throw new Error("route store down");
        return { upstream: "replica-3", autorouted: false };
      },
    });
    w.enqueue(sampleRecord({ eventId: "e1", callId: "run-1:model:1" }));
    w.enqueue(sampleRecord({ eventId: "e2", callId: "run-1:model:2" }));
    w.enqueue(sampleRecord({ eventId: "e3", callId: "run-1:model:3", upstreamRoute: "kept" }));
    expect(w.flush().inserted).toBe(3);
    const rows = read(path).prepare("SELECT upstream_route FROM usage_rows ORDER BY id").all();
    expect(rows.map((r) => r.upstream_route)).toEqual(["replica-3", null, "kept"]);
    // A row with a route is still looked up: its capture carries the affinity id too.
    expect(seen).toEqual(["run-1:model:1", "run-1:model:2", "run-1:model:3"]);
  });

  it("prices an autorouted call by the model TaaS routed it to, and keeps both models", () => {
    const path = tempPath();
    const routes: Record<string, CallRoute> = {
      "auto:model:1": { upstream: "replica-1", autorouted: true, routedModel: "gpt-5.5" },
      "auto:model:2": { upstream: "replica-1", autorouted: true }, // TaaS did not say where
      "auto:model:3": { upstream: "replica-2", autorouted: true, routedModel: "unpriced-model" },
    };
    const { w } = writer({
      path,
      routeLookup: (callId) => routes[callId],
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
      w.enqueue(sampleRecord({ ...asked, eventId: `e${n}`, callId: `auto:model:${n}` }));
    }
    w.flush();
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
    const path = tempPath();
    const { w } = writer({
      path,
      routeLookup: () => ({ upstream: "replica-1", autorouted: false, routedModel: "other" }),
      // No cache-read price: the call's cache reads leave it partial.
      prices: (_provider, model) => (model === "gpt-5.5" ? { input: 100, output: 100 } : undefined),
    });
    w.enqueue(sampleRecord());
    w.flush();
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

  it("stores every field of a row", () => {
    const path = tempPath();
    const { w } = writer({ path, now: () => 42 });
    const record = sampleRecord({ upstreamRoute: "replica-2", errorCategory: "none" });
    w.enqueue(record);
    w.flush();
    expect(read(path).prepare("SELECT * FROM usage_rows").get()).toEqual({
      id: 1,
      event_id: record.eventId,
      ts: record.ts,
      granularity: "call",
      calls: 1,
      agent_id: "main",
      session_key: "agent:main:main",
      session_id: "sess-1",
      run_id: "run-1",
      call_id: "run-1:model:1",
      trigger: "user",
      provider: "cloudsigma",
      model: "gpt-5.5",
      routed_model: null,
      upstream_route: "replica-2",
      input: 176,
      output: 5,
      cache_read: 1024,
      cache_write: 0,
      total: 1205,
      usage_known: 1,
      cost_nusd: 398_000,
      cost_source: "host",
      saving_nusd: 1_152_000,
      cost_state: "known",
      latency_ms: 397,
      ttfb_ms: 322,
      outcome: "completed",
      error_category: "none",
      recorded_at: 42,
      // Without an accountant (and the optimizer's capture) nothing is known of the cache.
      affinity_id: null,
      expected_cache_read: null,
      missed_tokens: null,
      invalidated_tokens: null,
      miss_cause: null,
      miss_at: null,
      missed_cost_nusd: null,
    });
  });

  it("never counts a replayed event twice, in the rows or in the hourly rollup", () => {
    const path = tempPath();
    const { w } = writer({ path });
    w.enqueue(sampleRecord());
    w.enqueue(sampleRecord());
    expect(w.flush()).toMatchObject({ inserted: 1, duplicates: 1 });
    w.enqueue(sampleRecord({ usage: { ...sampleRecord().usage, input: 999 } }));
    expect(w.flush()).toMatchObject({ inserted: 0, duplicates: 1 });
    const db = read(path);
    expect(count(db, "SELECT count(*) AS n FROM usage_rows")).toBe(1);
    expect(db.prepare("SELECT rows, input, cache_read FROM usage_hourly").all()).toEqual([
      { rows: 1, input: 176, cache_read: 1024 },
    ]);
  });

  it("writes in batches and keeps the rollup equal to the raw rows", () => {
    const path = tempPath();
    const { w } = writer({ path, batchSize: 100 });
    for (const r of sampleRecords(1234, Date.UTC(2026, 10, 1))) w.enqueue(r);
    // At most `maxBatches` transactions per call: the rest waits for the next tick.
    expect(w.flush(10)).toEqual({ inserted: 1000, duplicates: 0, queued: 234 });
    expect(w.flush()).toEqual({ inserted: 234, duplicates: 0, queued: 0 });
    const db = read(path);
    expect(count(db, "SELECT count(*) AS n FROM usage_rows")).toBe(1234);
    expect(count(db, "SELECT sum(rows) AS n FROM usage_hourly")).toBe(1234);
    expect(count(db, "SELECT sum(input) AS n FROM usage_hourly")).toBe(1234 * 176);
  });

  it("keeps rows queued while another connection holds the lock, and writes them afterwards", () => {
    const path = tempPath();
    const { w, logs } = writer({ path, busyTimeoutMs: 0 });
    w.enqueue(sampleRecord({ eventId: "first" }));
    w.flush();
    const blocker = openDatabase(path);
    blocker.exec("BEGIN IMMEDIATE");
    w.enqueue(sampleRecord({ eventId: "during-lock-1" }));
    w.enqueue(sampleRecord({ eventId: "during-lock-2" }));
    expect(w.flush()).toEqual({ inserted: 0, duplicates: 0, queued: 2 });
    expect(logs.some((l) => /busy/.test(l) && /2 row\(s\) kept/.test(l))).toBe(true);
    blocker.exec("ROLLBACK");
    blocker.close();
    expect(w.flush()).toEqual({ inserted: 2, duplicates: 0, queued: 0 });
    expect(count(read(path), "SELECT count(*) AS n FROM usage_rows")).toBe(3);
  });

  it("keeps everything when the database cannot be opened at all", () => {
    const path = tempPath();
    mkdirSync(path, { recursive: true }); // a directory where the file should be
    const { w, logs } = writer({ path });
    w.enqueue(sampleRecord());
    expect(() => w.flush()).not.toThrow();
    expect(w.queued).toBe(1);
    expect(logs[0]).toMatch(/unavailable.*1 row\(s\) kept/);
  });

  it("drops only the row the database rejects, naming it", () => {
    const path = tempPath();
    const { w, logs } = writer({ path });
    w.enqueue(sampleRecord({ eventId: "good-1" }));
    w.enqueue(sampleRecord({ eventId: "bad", calls: -1 }));
    w.enqueue(sampleRecord({ eventId: "good-2" }));
    expect(w.flush()).toMatchObject({ inserted: 2, queued: 0 });
    expect(logs).toEqual([expect.stringMatching(/^error: ledger row bad rejected/)]);
    expect(
      read(path)
        .prepare("SELECT event_id FROM usage_rows ORDER BY id")
        .all()
        .map((r) => r.event_id),
    ).toEqual(["good-1", "good-2"]);
  });

  it("drops the oldest rows loudly when the queue is full", () => {
    const { w, logs } = writer({ path: tempPath(), maxQueuedRows: 2 });
    for (const r of sampleRecords(3, 0)) w.enqueue(r);
    expect(w.queued).toBe(2);
    expect(logs[0]).toMatch(/queue full.*dropped 1/);
  });

  it("prunes rows and rollup hours older than the retention window", () => {
    const path = tempPath();
    const now = Date.UTC(2026, 10, 21, 12);
    const { w } = writer({ path, retentionDays: 2, now: () => now });
    w.enqueue(sampleRecord({ eventId: "old", ts: now - 3 * 86_400_000 }));
    w.enqueue(sampleRecord({ eventId: "new", ts: now - 86_400_000 }));
    w.flush();
    const db = read(path);
    expect(
      db
        .prepare("SELECT event_id FROM usage_rows")
        .all()
        .map((r) => r.event_id),
    ).toEqual(["new"]);
    expect(count(db, "SELECT sum(rows) AS n FROM usage_hourly")).toBe(1);
  });

  it("flushes on close and reopens lazily afterwards", () => {
    const path = tempPath();
    const { w } = writer({ path });
    w.enqueue(sampleRecord({ eventId: "a" }));
    expect(w.close()).toMatchObject({ inserted: 1, queued: 0 });
    w.enqueue(sampleRecord({ eventId: "b" }));
    w.close();
    expect(count(read(path), "SELECT count(*) AS n FROM usage_rows")).toBe(2);
  });
});
