import { DatabaseSync } from "node:sqlite";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import { sampleRecord } from "@cloudsigma/taas-core/usage-record.test-support";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../test-support/temp-dirs.ts";
import {
  LEDGER_SCHEMA_VERSION,
  ledgerVersion,
  migrateLedger,
  openLedger,
} from "./ledger-migrate.ts";
import { INSERT_USAGE_ROW, LEDGER_SCHEMA, usageRowParams } from "./ledger-schema.ts";

const dir = useTempDirs("ledger-migrate");

/** A ledger as version 1 of the plugin left it, with two rows in one hour. */
function versionOneLedger(path: string): void {
  const db = new DatabaseSync(path);
  db.exec(LEDGER_SCHEMA);
  db.exec("PRAGMA user_version = 1");
  const insert = db.prepare(`INSERT INTO usage_rows (event_id, ts, granularity, calls, agent_id,
    provider, model, input, output, cache_read, cache_write, total, usage_known, recorded_at)
    VALUES (?, ?, 'call', 1, 'main', 'cloudsigma', 'gpt-5.5', 100, 5, 900, 0, 1005, 1, 0)`);
  insert.run("old-1", Date.UTC(2026, 10, 1, 10, 5));
  insert.run("old-2", Date.UTC(2026, 10, 1, 10, 6));
  db.close();
}

describe("ledger migrations", () => {
  it("upgrades a version-1 ledger in place, keeping its rows and marking them unaccounted", () => {
    const path = `${dir()}/ledger.sqlite`;
    versionOneLedger(path);
    const db = openLedger(path);
    expect(ledgerVersion(db)).toBe(LEDGER_SCHEMA_VERSION);
    expect(db.prepare("SELECT event_id, miss_cause FROM usage_rows ORDER BY id").all()).toEqual([
      { event_id: "old-1", miss_cause: null },
      { event_id: "old-2", miss_cause: null },
    ]);
    expect(
      db.prepare("SELECT calls, unaccounted_calls, expected_cache_read FROM usage_hourly").get(),
    ).toEqual({ calls: 2, unaccounted_calls: 2, expected_cache_read: 0 });
    // New rows roll their accounting up beside the old ones.
    const row = {
      ...sampleRecord({ eventId: "new-1", ts: Date.UTC(2026, 10, 1, 10, 7) }),
      cache: {
        affinityId: "oc:a",
        expected: 896,
        missed: 0,
        invalidated: 128,
        cause: "prefix_history" as const,
        divergedAt: 3,
      },
    };
    db.prepare(INSERT_USAGE_ROW).run(...usageRowParams(row, 1));
    expect(
      db
        .prepare(
          `SELECT sum(calls) AS calls, sum(unaccounted_calls) AS unaccounted_calls,
            sum(expected_cache_read) AS expected_cache_read,
            sum(invalidated_tokens) AS invalidated_tokens, sum(accounted_prompt) AS accounted_prompt,
            sum(accounted_read) AS accounted_read FROM usage_hourly`,
        )
        .get(),
    ).toEqual({
      calls: 3,
      unaccounted_calls: 2,
      expected_cache_read: 896,
      invalidated_tokens: 128,
      accounted_prompt: 176 + 1024,
      accounted_read: 1024,
    });
    db.close();
  });

  it("creates a new ledger at the current version, and re-opening changes nothing", () => {
    const path = `${dir()}/fresh.sqlite`;
    openLedger(path).close();
    const db = openLedger(path);
    expect(ledgerVersion(db)).toBe(LEDGER_SCHEMA_VERSION);
    expect(migrateLedger(db)).toBe(LEDGER_SCHEMA_VERSION);
    db.close();
  });

  it("refuses a ledger written by a newer plugin, naming the fix", () => {
    const path = `${dir()}/newer.sqlite`;
    const db = openDatabase(path);
    db.exec(`PRAGMA user_version = ${LEDGER_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openLedger(path)).toThrow(
      /newer than this plugin's.*upgrade the usage-ledger plugin/,
    );
  });
});
