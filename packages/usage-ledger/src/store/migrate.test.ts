import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRows } from "../../../../test-support/sqlite-rows.ts";
import { readReport } from "../report/read.ts";
import { emptyTotals, rawSumsSql, rollupSumsSql, TOTAL_FIELDS, TOTALS } from "../report/totals.ts";
import { COLUMN_NAMES, COLUMNS } from "./columns.ts";
import {
  LEDGER_SCHEMA_VERSION,
  LEDGER_STEPS,
  type LedgerStep,
  migrateLedger,
  openLedger,
} from "./migrate.ts";
import { INSERT_V1_ROW, LEDGER_V1_FILE } from "./v1.test-support.ts";
import { LedgerWriter } from "./writer.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 10);
let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ledger-migrate-"));
  path = join(dir, "ledger.sqlite");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

type V1Row = [
  eventId: string,
  ts: number,
  cost: number | null,
  saving: number | null,
  tokens: number,
];

/** A version-1 file with rows as version 1 wrote them (its trigger filled its rollup). */
function writeV1Ledger(rows: V1Row[]): void {
  const db = new DatabaseSync(path);
  db.exec(LEDGER_V1_FILE);
  const insert = db.prepare(INSERT_V1_ROW);
  for (const [eventId, ts, cost, saving, tokens] of rows) {
    const source = cost === null ? null : "host";
    // event_id, ts, granularity, calls, agent, session key, session id, run, call, trigger,
    // provider, model, upstream, input, output, cache read, cache write, total, usage known,
    // cost, source, saving, latency, ttfb, outcome, error category, recorded at.
    insert.run(
      eventId,
      ts,
      "call",
      1,
      "main",
      "agent:main:main",
      "s",
      "r",
      `${eventId}:model:1`,
      "user",
      "cloudsigma",
      "gpt-5.5",
      null,
      tokens,
      tokens > 0 ? 5 : 0,
      tokens,
      0,
      tokens * 2 + (tokens > 0 ? 5 : 0),
      1,
      cost,
      source,
      saving,
      300,
      100,
      "completed",
      null,
      1,
    );
  }
  db.close();
}

const version = () => readRows(path, "PRAGMA user_version")[0]?.user_version;
const columns = (file: string, table: string) =>
  readRows(file, `SELECT name, type, "notnull", dflt_value FROM pragma_table_info('${table}')`);

const V1_ROWS: V1Row[] = [
  ["priced", T0, 398_000, 115_200, 176], // a host cost: known
  ["host-zero", T0 + 60_000, 0, 0, 176], // the host's 0 for an unpriced model: unknown
  ["no-cost", T0 + HOUR, null, null, 500], // unknown already
  ["no-tokens", T0 + 2 * HOUR, 0, 0, 0], // nothing used: a known 0
];

/** A v1 row as the migration leaves it: no routed model, its cost restated. */
const restated = (eventId: string, cost: number | null, state: string, source: string | null) => ({
  event_id: eventId,
  model: "gpt-5.5",
  routed_model: null,
  cost_nusd: cost,
  cost_state: state,
  cost_source: source,
});

describe("a version-1 ledger with rows", () => {
  it("is migrated in place when opened: rows kept, costs restated, rollup rebuilt", () => {
    writeV1Ledger(V1_ROWS);
    const db = openLedger(path);
    db.close();
    expect(version()).toBe(LEDGER_SCHEMA_VERSION);
    expect(
      readRows(
        path,
        "SELECT event_id, model, routed_model, cost_nusd, cost_state, cost_source, saving_nusd FROM usage_rows ORDER BY id",
      ),
    ).toEqual([
      { ...restated("priced", 398_000, "known", "host"), saving_nusd: 115_200 },
      { ...restated("host-zero", null, "unknown", null), saving_nusd: null },
      { ...restated("no-cost", null, "unknown", null), saving_nusd: null },
      { ...restated("no-tokens", 0, "known", "host"), saving_nusd: 0 },
    ]);
    // The rebuilt rollup says what the rows say, hour by hour.
    expect(
      readRows(
        path,
        "SELECT hour_ms, rows, cost_nusd, cost_unknown_rows, unpriced_calls, saving_unknown_rows FROM usage_hourly ORDER BY hour_ms",
      ),
    ).toEqual([
      {
        hour_ms: T0,
        rows: 2,
        cost_nusd: 398_000,
        cost_unknown_rows: 1,
        unpriced_calls: 1,
        saving_unknown_rows: 1,
      },
      {
        hour_ms: T0 + HOUR,
        rows: 1,
        cost_nusd: 0,
        cost_unknown_rows: 1,
        unpriced_calls: 1,
        saving_unknown_rows: 1,
      },
      {
        hour_ms: T0 + 2 * HOUR,
        rows: 1,
        cost_nusd: 0,
        cost_unknown_rows: 0,
        unpriced_calls: 0,
        saving_unknown_rows: 0,
      },
    ]);
  });

  it("keeps its rows without cache accounting: unaccounted calls, never 0 missed", () => {
    writeV1Ledger(V1_ROWS);
    openLedger(path).close();
    expect(
      readRows(
        path,
        "SELECT count(*) AS n FROM usage_rows WHERE miss_cause IS NULL AND expected_cache_read IS NULL AND missed_tokens IS NULL",
      )[0]?.n,
    ).toBe(V1_ROWS.length);
    const rollup = readRows(
      path,
      "SELECT sum(calls) AS calls, sum(unaccounted_calls) AS unaccounted, sum(expected_cache_read) AS expected, sum(missed_tokens) AS missed FROM usage_hourly",
    )[0];
    expect(rollup).toEqual({
      calls: rollup?.calls,
      unaccounted: rollup?.calls,
      expected: 0,
      missed: 0,
    });
    expect(Number(rollup?.calls)).toBeGreaterThan(0);
  });

  it("keeps recording through the writer after the migration, rollup in step with the rows", () => {
    writeV1Ledger(V1_ROWS);
    const writer = new LedgerWriter({ path });
    writer.enqueue(sampleRecord({ eventId: "new", ts: T0 + 3 * HOUR }));
    writer.close();
    const raw = readRows(path, `SELECT ${rawSumsSql()} FROM usage_rows`)[0];
    for (const table of ["usage_hourly", "usage_daily"]) {
      expect(readRows(path, `SELECT ${rollupSumsSql()} FROM ${table}`)[0], table).toEqual(raw);
    }
    expect(raw).toMatchObject({ rows: 5, costNano: 796_000, costUnknownRows: 2 });
  });

  it("is brought up to date by a report too, which then reads it", () => {
    writeV1Ledger(V1_ROWS);
    const report = readReport(path, { by: "model", since: 0, until: T0 + 3 * HOUR });
    expect(version()).toBe(LEDGER_SCHEMA_VERSION);
    expect(report.totals).toMatchObject({ rows: 4, costNano: 398_000, costUnknownRows: 2 });
  });

  it("is left alone the second time, and a newer file is never touched", () => {
    writeV1Ledger(V1_ROWS);
    const db = openLedger(path);
    expect(migrateLedger(db)).toEqual({ from: LEDGER_SCHEMA_VERSION, to: LEDGER_SCHEMA_VERSION });
    db.exec(`PRAGMA user_version = ${LEDGER_SCHEMA_VERSION + 1}`);
    expect(migrateLedger(db)).toEqual({
      from: LEDGER_SCHEMA_VERSION + 1,
      to: LEDGER_SCHEMA_VERSION + 1,
    });
    db.close();
  });

  it("stays exactly as it was when a step fails", () => {
    writeV1Ledger(V1_ROWS);
    const before = columns(path, "usage_rows");
    const broken: LedgerStep = {
      version: LEDGER_SCHEMA_VERSION + 1,
      description: "broken",
      sql: "ALTER TABLE nope ADD COLUMN x",
    };
    const db = new DatabaseSync(path);
    expect(() => migrateLedger(db, [...LEDGER_STEPS, broken])).toThrow(/nope/);
    db.close();
    expect(version()).toBe(1);
    expect(columns(path, "usage_rows")).toEqual(before);
  });
});

describe("the migration steps", () => {
  it("start from version 1's usage_rows exactly as it shipped", () => {
    writeV1Ledger([]);
    // The v1 layout on operators' machines: never edit USAGE_ROWS_V1, add a step instead.
    expect(
      columns(path, "usage_rows").map((c) => `${c.name} ${c.type}${c.notnull ? " NOT NULL" : ""}`),
    ).toEqual([
      "id INTEGER",
      "event_id TEXT NOT NULL",
      "ts INTEGER NOT NULL",
      "granularity TEXT NOT NULL",
      "calls INTEGER NOT NULL",
      "agent_id TEXT",
      "session_key TEXT",
      "session_id TEXT",
      "run_id TEXT",
      "call_id TEXT",
      "trigger TEXT",
      "provider TEXT",
      "model TEXT",
      "upstream_route TEXT",
      "input INTEGER NOT NULL",
      "output INTEGER NOT NULL",
      "cache_read INTEGER NOT NULL",
      "cache_write INTEGER NOT NULL",
      "total INTEGER NOT NULL",
      "usage_known INTEGER NOT NULL",
      "cost_nusd INTEGER",
      "cost_source TEXT",
      "saving_nusd INTEGER",
      "latency_ms INTEGER",
      "ttfb_ms INTEGER",
      "outcome TEXT",
      "error_category TEXT",
      "recorded_at INTEGER NOT NULL",
    ]);
  });

  it("end at the layout store/columns.ts declares, column by column", () => {
    openLedger(path).close();
    const onDisk = columns(path, "usage_rows")
      .filter((c) => c.name !== "id")
      .map((c) => `${c.name} ${c.type}${c.notnull ? " NOT NULL" : ""}`);
    const declared = COLUMN_NAMES.map((name) => {
      const sql = COLUMNS[name].sqlite;
      return `${name} ${sql.split(" ")[0]}${sql.includes("NOT NULL") ? " NOT NULL" : ""}`;
    });
    expect(onDisk.sort()).toEqual(declared.sort());
  });

  it("give a new file the same layout as a migrated version-1 file", () => {
    openLedger(path).close();
    const old = join(dir, "old.sqlite");
    const db = new DatabaseSync(old);
    db.exec(LEDGER_V1_FILE);
    migrateLedger(db);
    db.close();
    for (const table of ["usage_rows", "usage_hourly", "usage_daily"]) {
      expect(columns(path, table), table).toEqual(columns(old, table));
    }
    const trigger = (file: string) =>
      readRows(file, "SELECT sql FROM sqlite_schema WHERE type = 'trigger'");
    expect(trigger(path)).toEqual(trigger(old));
  });

  it("are numbered one after another, and the next version is one appended step", () => {
    expect(LEDGER_STEPS.map((step) => step.version)).toEqual(LEDGER_STEPS.map((_, i) => i + 2));
    const next: LedgerStep = {
      version: LEDGER_SCHEMA_VERSION + 1,
      description: "a column the next version adds",
      sql: "ALTER TABLE usage_rows ADD COLUMN next_thing INTEGER NOT NULL DEFAULT 0",
    };
    writeV1Ledger(V1_ROWS);
    const db = new DatabaseSync(path);
    expect(migrateLedger(db, [...LEDGER_STEPS, next])).toEqual({ from: 1, to: next.version });
    db.close();
    expect(columns(path, "usage_rows").map((c) => c.name)).toContain("next_thing");
    const gap: LedgerStep = { ...next, version: next.version + 2 };
    const fresh = new DatabaseSync(join(dir, "gap.sqlite"));
    expect(() => migrateLedger(fresh, [...LEDGER_STEPS, gap])).toThrow(/skip from version/);
    fresh.close();
  });

  it("sum every report total in the rollup", () => {
    writeV1Ledger(V1_ROWS);
    openLedger(path).close();
    const kept = columns(path, "usage_hourly").map((c) => c.name);
    expect(kept).toEqual(expect.arrayContaining(TOTAL_FIELDS.map((f) => TOTALS[f].column)));
    expect(TOTAL_FIELDS.sort()).toEqual(Object.keys(emptyTotals()).sort());
  });
});
