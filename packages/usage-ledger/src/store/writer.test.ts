import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import { sampleRecord, sampleRecords } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterEach, describe, expect, it } from "vitest";
import { LedgerWriter, type LedgerWriterOptions } from "./writer.ts";

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
      "cache_plateaus",
      "forward_marks",
      "usage_daily",
      "usage_hourly",
      "usage_rows",
    ]);
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
      // A row given finished without its cache accounting stores none.
      affinity_id: null,
      affinity_shard: null,
      expected_cache_read: null,
      missed_tokens: null,
      invalidated_tokens: null,
      miss_cause: null,
      miss_at: null,
      missed_cost_nusd: null,
      beyond_plateau_tokens: null,
      // Priced when written: never repriced.
      repriced_at: null,
      repriced_from: null,
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
    // At close the line names what kept the rows out, not a lock nobody held.
    w.close();
    expect(logs.at(-1)).toBe(
      `error: closing the ledger with 1 row(s) unwritten: database ${path} stayed unavailable`,
    );
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

  it("tells afterBatch the new rows of a committed batch; what it throws loses no row", () => {
    const path = tempPath();
    const seen: string[][] = [];
    const { w, logs } = writer({
      path,
      afterBatch: (rows) => {
        seen.push(rows.map((row) => row.eventId));
        throw new Error("dashboard table locked");
      },
    });
    w.enqueue(sampleRecord({ eventId: "a" }));
    w.enqueue(sampleRecord({ eventId: "a" }));
    w.enqueue(sampleRecord({ eventId: "b" }));
    expect(w.flush()).toMatchObject({ inserted: 2, duplicates: 1, queued: 0 });
    expect(seen).toEqual([["a", "b"]]);
    expect(logs).toEqual(["warn: after a written batch: dashboard table locked"]);
    expect(count(read(path), "SELECT count(*) AS n FROM usage_rows")).toBe(2);
  });
});
