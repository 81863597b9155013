import type { DatabaseSync } from "node:sqlite";
import {
  inTransaction,
  type OpenDatabaseOptions,
  openDatabase,
} from "@cloudsigma/taas-core/sqlite";
import { MISS_CAUSES } from "./cache-accounting.ts";
import { LEDGER_SCHEMA } from "./ledger-schema.ts";

/**
 * The ledger's schema versions. Operators' ledgers outlive plugin versions, so a file is
 * upgraded in place, one step per version, in one transaction each, when it is opened for
 * writing (by the gateway's writer or a report). A new file is created at version 1 and walks
 * the same steps, so every column is declared exactly once. Adding a version: append a step.
 */
const STEPS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    // Cache accounting: per call, what it could have read from cache and why it did not.
    version: 2,
    sql: `
ALTER TABLE usage_rows ADD COLUMN affinity_id TEXT;
ALTER TABLE usage_rows ADD COLUMN expected_cache_read INTEGER CHECK (expected_cache_read >= 0);
ALTER TABLE usage_rows ADD COLUMN missed_tokens INTEGER CHECK (missed_tokens >= 0);
ALTER TABLE usage_rows ADD COLUMN invalidated_tokens INTEGER CHECK (invalidated_tokens >= 0);
ALTER TABLE usage_rows ADD COLUMN miss_cause TEXT
  CHECK (miss_cause IN (${MISS_CAUSES.map((cause) => `'${cause}'`).join(", ")}));
ALTER TABLE usage_rows ADD COLUMN miss_at INTEGER CHECK (miss_at >= 0);
CREATE INDEX usage_rows_affinity_ts ON usage_rows (affinity_id, ts);
ALTER TABLE usage_hourly ADD COLUMN expected_cache_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_hourly ADD COLUMN missed_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_hourly ADD COLUMN invalidated_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_hourly ADD COLUMN accounted_prompt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_hourly ADD COLUMN accounted_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_hourly ADD COLUMN unaccounted_calls INTEGER NOT NULL DEFAULT 0;
-- Every row written before this version has no accounting.
UPDATE usage_hourly SET unaccounted_calls = calls;
DROP TRIGGER usage_rows_rollup;
CREATE TRIGGER usage_rows_rollup AFTER INSERT ON usage_rows BEGIN
  INSERT INTO usage_hourly (hour_ms, agent_id, provider, model, session_key, trigger, rows, calls,
    errors, input, output, cache_read, cache_write, total, cost_nusd, cost_unknown_rows, saving_nusd,
    expected_cache_read, missed_tokens, invalidated_tokens, accounted_prompt, accounted_read,
    unaccounted_calls)
  VALUES ((NEW.ts / 3600000) * 3600000, coalesce(NEW.agent_id, ''), coalesce(NEW.provider, ''),
    coalesce(NEW.model, ''), coalesce(NEW.session_key, ''), coalesce(NEW.trigger, ''), 1, NEW.calls,
    coalesce(NEW.outcome = 'error', 0), NEW.input, NEW.output, NEW.cache_read, NEW.cache_write,
    NEW.total, coalesce(NEW.cost_nusd, 0), NEW.cost_nusd IS NULL, coalesce(NEW.saving_nusd, 0),
    coalesce(NEW.expected_cache_read, 0), coalesce(NEW.missed_tokens, 0),
    coalesce(NEW.invalidated_tokens, 0),
    CASE WHEN NEW.expected_cache_read IS NULL THEN 0
      ELSE NEW.input + NEW.cache_read + NEW.cache_write END,
    CASE WHEN NEW.expected_cache_read IS NULL THEN 0 ELSE NEW.cache_read END,
    CASE WHEN NEW.expected_cache_read IS NULL THEN NEW.calls ELSE 0 END)
  ON CONFLICT (hour_ms, agent_id, provider, model, session_key, trigger) DO UPDATE SET
    rows = rows + 1, calls = calls + excluded.calls, errors = errors + excluded.errors,
    input = input + excluded.input, output = output + excluded.output,
    cache_read = cache_read + excluded.cache_read, cache_write = cache_write + excluded.cache_write,
    total = total + excluded.total, cost_nusd = cost_nusd + excluded.cost_nusd,
    cost_unknown_rows = cost_unknown_rows + excluded.cost_unknown_rows,
    saving_nusd = saving_nusd + excluded.saving_nusd,
    expected_cache_read = expected_cache_read + excluded.expected_cache_read,
    missed_tokens = missed_tokens + excluded.missed_tokens,
    invalidated_tokens = invalidated_tokens + excluded.invalidated_tokens,
    accounted_prompt = accounted_prompt + excluded.accounted_prompt,
    accounted_read = accounted_read + excluded.accounted_read,
    unaccounted_calls = unaccounted_calls + excluded.unaccounted_calls;
END;`,
  },
  {
    // Forwarding to a central ledger: per target, the last local row id it has confirmed, so a
    // restarted forwarder resumes there. (Appended last; renumber if another step lands first.)
    version: 3,
    sql: `
CREATE TABLE forward_marks (
  target TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL CHECK (last_id >= 0),
  updated_at INTEGER NOT NULL
) STRICT;`,
  },
];

export const LEDGER_SCHEMA_VERSION = STEPS.at(-1)?.version ?? 1;

export const ledgerVersion = (db: DatabaseSync): number =>
  Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);

/** Brings an open ledger to the current version; returns the version it found. */
export function migrateLedger(db: DatabaseSync): number {
  db.exec(LEDGER_SCHEMA);
  // A file that never had a version is one the version-1 schema just created (or created).
  const found = Math.max(1, ledgerVersion(db));
  if (found > LEDGER_SCHEMA_VERSION) {
    throw new Error(
      `ledger schema version ${found} is newer than this plugin's ${LEDGER_SCHEMA_VERSION}; upgrade the usage-ledger plugin`,
    );
  }
  for (const step of STEPS) {
    if (step.version <= found) continue;
    inTransaction(db, () => {
      // Another process (a CLI report, a second gateway) may have taken this step meanwhile.
      if (ledgerVersion(db) >= step.version) return;
      db.exec(step.sql);
      db.exec(`PRAGMA user_version = ${step.version}`);
    });
  }
  return found;
}

/** Opens a ledger for writing at the current schema version. */
export function openLedger(path: string, options: Omit<OpenDatabaseOptions, "schema"> = {}) {
  const db = openDatabase(path, options);
  try {
    migrateLedger(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
