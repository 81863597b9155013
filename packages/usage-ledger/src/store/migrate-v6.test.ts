import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRows } from "../../../../test-support/sqlite-rows.ts";
import { MISS_CAUSES } from "../cache/accounting.ts";
import { rawSumsSql, rollupSumsSql } from "../report/totals.ts";
import type { LedgerRow } from "./columns.ts";
import { LEDGER_STEPS, migrateLedger, openLedger, V6_MISS_CAUSES } from "./migrate.ts";
import { readStoredPlateaus } from "./plateaus.ts";
import { LedgerWriter } from "./writer.ts";

// Version 6: the miss causes a provider's cache adds (plateau, not_ready, replica_unreported),
// the tokens past a plateau, and the plateaus learned per model.

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ledger-v6-"));
  path = join(dir, "ledger.sqlite");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 10, 1, 10);

/** A call row with its cache accounting, as the enrich step finishes it. */
const accounted = (
  eventId: string,
  cache: Partial<NonNullable<LedgerRow["cache"]>>,
): LedgerRow => ({
  ...sampleRecord({ eventId, ts: T0, callId: `${eventId}:call` }),
  cache: {
    affinityId: "oc:a",
    expected: 4864,
    missed: 0,
    invalidated: 0,
    cause: "none",
    divergedAt: null,
    ...cache,
  },
});

/**
 * A file at version 5 with one accounted call, as the plugin before this version left it, but
 * for its rollups: those are built from this version's totals, so they are left out here, and
 * version 6 rebuilds them from the rows as it does on a real file.
 */
function writeV5Ledger(): void {
  const db = new DatabaseSync(path);
  const steps = LEDGER_STEPS.filter((step) => step.version <= 5);
  migrateLedger(
    db,
    steps.map((step) => ({ ...step, rebuildsRollup: false })),
  );
  db.prepare(
    `INSERT INTO usage_rows (event_id, ts, granularity, calls, input, output, cache_read,
      cache_write, total, usage_known, recorded_at, expected_cache_read, missed_tokens,
      invalidated_tokens, miss_cause)
     VALUES ('old', ?, 'call', 1, 8000, 5, 4864, 0, 12869, 1, ?, 12800, 7936, 0, 'upstream')`,
  ).run(T0, T0);
  db.close();
}

describe("ledger schema version 6", () => {
  it("lists every miss cause the accounting names", () => {
    expect([...V6_MISS_CAUSES].sort()).toEqual([...MISS_CAUSES].sort());
  });

  it("keeps a version-5 file's causes and takes the new ones, with the rollups in step", () => {
    writeV5Ledger();
    const old = new DatabaseSync(path);
    // Version 5 refuses the new causes: the CHECK is what version 3 shipped.
    expect(() => old.exec("UPDATE usage_rows SET miss_cause = 'plateau'")).toThrow(/CHECK/);
    old.close();

    const writer = new LedgerWriter({ path });
    writer.enqueue(accounted("plateaued", { cause: "plateau", beyondPlateau: 8064 }));
    writer.enqueue(accounted("delayed", { cause: "not_ready", expected: 12_544, missed: 12_544 }));
    writer.close();
    expect(
      readRows(
        path,
        "SELECT event_id, miss_cause, beyond_plateau_tokens FROM usage_rows ORDER BY id",
      ),
    ).toEqual([
      { event_id: "old", miss_cause: "upstream", beyond_plateau_tokens: null },
      { event_id: "plateaued", miss_cause: "plateau", beyond_plateau_tokens: 8064 },
      { event_id: "delayed", miss_cause: "not_ready", beyond_plateau_tokens: null },
    ]);
    const raw = readRows(path, `SELECT ${rawSumsSql()} FROM usage_rows`)[0];
    expect(raw).toMatchObject({ beyondPlateauTokens: 8064, missedTokens: 7936 + 12_544 });
    for (const table of ["usage_hourly", "usage_daily"]) {
      expect(readRows(path, `SELECT ${rollupSumsSql()} FROM ${table}`)[0], table).toEqual(raw);
    }
    const db = openLedger(path);
    expect(() =>
      db.exec("UPDATE usage_rows SET miss_cause = 'made_up' WHERE event_id = 'old'"),
    ).toThrow(/CHECK/);
    db.close();
  });

  it("keeps what the calls taught of each model's plateau in the batch, for the next process", () => {
    const writer = new LedgerWriter({ path, now: () => T0 });
    const served = { provider: "CloudSigma", model: "auto", routedModel: "gpt-5.5" };
    writer.enqueue({ ...accounted("a", { learnedPlateau: 4608 }), ...served });
    writer.enqueue({ ...accounted("b", { learnedPlateau: 4864 }), ...served });
    writer.enqueue({ ...accounted("c", { learnedPlateau: 4096 }), model: "kimi-k2.6" });
    writer.enqueue({ ...accounted("d", { learnedPlateau: null }), model: "kimi-k2.6" });
    writer.close();
    expect(readStoredPlateaus(path)).toEqual([
      { provider: "cloudsigma", model: "gpt-5.5", tokens: 4864 },
    ]);
    expect(readStoredPlateaus(join(dir, "none.sqlite"))).toEqual([]);
  });
});
