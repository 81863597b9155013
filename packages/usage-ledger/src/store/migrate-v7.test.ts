import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRows } from "../../../../test-support/sqlite-rows.ts";
import { rawSumsSql, rollupSumsSql } from "../report/totals.ts";
import { LEDGER_STEPS, migrateLedger, openLedger } from "./migrate.ts";

// Version 7: what `usage-ledger reprice` records on a row it prices, and the trigger that keeps
// the rollups equal to the rows when a row's cost changes in place.

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ledger-v7-"));
  path = join(dir, "ledger.sqlite");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 10, 1, 10);

/** A version-6 file with one unpriced call, as the plugin before this version left it. */
function writeV6Ledger(): void {
  const db = new DatabaseSync(path);
  migrateLedger(
    db,
    LEDGER_STEPS.filter((step) => step.version <= 6),
  );
  db.prepare(
    `INSERT INTO usage_rows (event_id, ts, granularity, calls, provider, model, input, output,
      cache_read, cache_write, total, usage_known, recorded_at)
     VALUES ('old', ?, 'call', 1, 'cloudsigma', 'gpt-5.5', 8000, 5, 4864, 0, 12869, 1, ?)`,
  ).run(T0, T0);
  db.close();
}

const sums = () => {
  const raw = readRows(path, `SELECT ${rawSumsSql()} FROM usage_rows`)[0];
  const rollups = ["usage_hourly", "usage_daily"].map(
    (table) => readRows(path, `SELECT ${rollupSumsSql()} FROM ${table}`)[0],
  );
  return { raw, rollups };
};

describe("ledger schema version 7", () => {
  it("keeps a version-6 file's rows (never repriced) and keeps the rollups in step with a change in place", () => {
    writeV6Ledger();
    const db = openLedger(path);
    expect(readRows(path, "SELECT cost_state, repriced_at, repriced_from FROM usage_rows")).toEqual(
      [{ cost_state: "unknown", repriced_at: null, repriced_from: null }],
    );
    db.exec(
      `UPDATE usage_rows SET cost_nusd = 16000000, cost_state = 'known', repriced_at = ${T0},
        repriced_from = 'config' WHERE event_id = 'old'`,
    );
    expect(() => db.exec("UPDATE usage_rows SET repriced_from = 'guess'")).toThrow(/CHECK/);
    db.close();
    const { raw, rollups } = sums();
    expect(raw).toMatchObject({ costNano: 16_000_000, costUnknownRows: 0, unpricedCalls: 0 });
    for (const rollup of rollups) expect(rollup).toEqual(raw);
  });
});
