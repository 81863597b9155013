import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import { sampleRecords } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { describe, expect, it } from "vitest";
import { pruneLedger } from "./retention.ts";
import { LedgerWriter } from "./writer.ts";

describe("pruneLedger", () => {
  it("deletes in bounded passes and keeps the rollups and rows covering the same days", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledger-prune-"));
    try {
      const path = join(dir, "ledger.sqlite");
      const start = Date.UTC(2026, 10, 1);
      const writer = new LedgerWriter({ path, batchSize: 5_000 });
      // 12,000 rows one minute apart: 200 hours.
      for (const r of sampleRecords(12_000, start)) writer.enqueue(r);
      writer.close();
      const db = openDatabase(path);
      const cutoff = start + 100 * 3_600_000 + 1_800_000; // mid-day 5: rounds down to hour 96
      expect(pruneLedger(db, cutoff, 1)).toEqual({ deleted: 5_000, done: false });
      expect(pruneLedger(db, cutoff, 1)).toEqual({ deleted: 760, done: true });
      const left = db.prepare("SELECT count(*) AS n, min(ts) AS first FROM usage_rows").get();
      expect(left).toEqual({ n: 6_240, first: start + 96 * 3_600_000 });
      for (const [table, time] of [
        ["usage_hourly", "hour_ms"],
        ["usage_daily", "day_ms"],
      ]) {
        const rollup = db
          .prepare(`SELECT sum(rows) AS n, min(${time}) AS first FROM ${table}`)
          .get();
        expect(rollup, table).toEqual({ n: 6_240, first: start + 96 * 3_600_000 });
      }
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
