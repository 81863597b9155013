import type { DatabaseSync } from "node:sqlite";
import { inTransaction, openDatabase } from "@cloudsigma/taas-core/sqlite";
import { rebuildRollupSql } from "./rollup.ts";

/**
 * Brings a ledger file to the current layout, in place, when it is opened. Ledgers already on
 * operators' machines are at `PRAGMA user_version = 1`; each step below takes the file one
 * version further, in order, all in one IMMEDIATE transaction, so a second process opening the
 * file at the same moment waits and then finds nothing left to do, and a failed step leaves the
 * file as it was. A new file is created at version 1 and goes through the same steps.
 *
 * Adding a version: append a step (version = the last one + 1) whose SQL adds and backfills the
 * columns; if the rollup sums or groups by something new, change `rollup.ts` (or a total in
 * `report/totals.ts`) and set `rebuildsRollup` (the rollups are then rebuilt from the raw rows
 * once, after the last step). A new miss cause needs a step that rebuilds the `miss_cause`
 * CHECK, as version 6 does: each step's list is frozen, like the step.
 */
export interface LedgerStep {
  version: number;
  /** What the step changes, in product terms. */
  description: string;
  sql: string;
  rebuildsRollup?: boolean;
}

/**
 * The table as version 1 shipped it, frozen: ledgers on operators' machines are at
 * `user_version = 1`, and a new file is created the same way and brought forward by the steps.
 * The current layout is declared in `columns.ts` (`columns.test.ts` checks the two agree).
 */
export const USAGE_ROWS_V1 = `
CREATE TABLE IF NOT EXISTS usage_rows (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  ts INTEGER NOT NULL,
  granularity TEXT NOT NULL CHECK (granularity IN ('call', 'run')),
  calls INTEGER NOT NULL CHECK (calls >= 0),
  agent_id TEXT,
  session_key TEXT,
  session_id TEXT,
  run_id TEXT,
  call_id TEXT,
  trigger TEXT,
  provider TEXT,
  model TEXT,
  upstream_route TEXT,
  input INTEGER NOT NULL CHECK (input >= 0),
  output INTEGER NOT NULL CHECK (output >= 0),
  cache_read INTEGER NOT NULL CHECK (cache_read >= 0),
  cache_write INTEGER NOT NULL CHECK (cache_write >= 0),
  total INTEGER NOT NULL CHECK (total >= 0),
  usage_known INTEGER NOT NULL CHECK (usage_known IN (0, 1)),
  cost_nusd INTEGER,
  cost_source TEXT CHECK (cost_source IN ('host', 'catalog')),
  saving_nusd INTEGER,
  latency_ms INTEGER,
  ttfb_ms INTEGER,
  outcome TEXT,
  error_category TEXT,
  recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS usage_rows_ts ON usage_rows (ts);
CREATE INDEX IF NOT EXISTS usage_rows_session_ts ON usage_rows (session_key, ts);
CREATE INDEX IF NOT EXISTS usage_rows_run ON usage_rows (run_id);
`;

/** The miss causes version 3 shipped; a step that adds causes rebuilds the column's CHECK. */
const V3_MISS_CAUSES = [
  "none",
  "cold",
  "below_minimum",
  "ttl_expired",
  "replica_switch",
  "prefix_tools",
  "prefix_system",
  "prefix_history",
  "upstream",
  "unknown",
];

/** Version 6 adds what the provider could not serve, and a cause for a replica TaaS does not name. */
export const V6_MISS_CAUSES = [...V3_MISS_CAUSES, "plateau", "not_ready", "replica_unreported"];

const missCauseCheck = (column: string, causes: readonly string[]): string =>
  `CHECK (${column} IN (${causes.map((cause) => `'${cause}'`).join(", ")}))`;

export const LEDGER_STEPS: readonly LedgerStep[] = [
  {
    version: 2,
    description:
      "the model an autorouted call was routed to, and whether each cost is known, partial or unknown",
    sql: `
ALTER TABLE usage_rows ADD COLUMN routed_model TEXT;
ALTER TABLE usage_rows ADD COLUMN cost_state TEXT NOT NULL DEFAULT 'unknown'
  CHECK (cost_state IN ('known', 'partial', 'unknown'));
-- Version 1 kept the host's 0 for calls of models nobody priced: that cost is unknown, not
-- free, and without prices there is no saving to claim for their cache reads.
UPDATE usage_rows SET cost_nusd = NULL, cost_source = NULL,
    saving_nusd = CASE WHEN cache_read > 0 THEN NULL ELSE saving_nusd END
  WHERE cost_nusd = 0 AND input + output + cache_read + cache_write > 0;
UPDATE usage_rows SET cost_state = 'known' WHERE cost_nusd IS NOT NULL;`,
    rebuildsRollup: true,
  },
  {
    version: 3,
    description:
      "cache accounting: what each call could have read from cache, what it missed, and why",
    // Rows from before this version keep NULLs: they count as unaccounted, never as 0 missed.
    sql: `
ALTER TABLE usage_rows ADD COLUMN affinity_id TEXT;
ALTER TABLE usage_rows ADD COLUMN expected_cache_read INTEGER CHECK (expected_cache_read >= 0);
ALTER TABLE usage_rows ADD COLUMN missed_tokens INTEGER CHECK (missed_tokens >= 0);
ALTER TABLE usage_rows ADD COLUMN invalidated_tokens INTEGER CHECK (invalidated_tokens >= 0);
ALTER TABLE usage_rows ADD COLUMN miss_cause TEXT ${missCauseCheck("miss_cause", V3_MISS_CAUSES)};
ALTER TABLE usage_rows ADD COLUMN miss_at INTEGER CHECK (miss_at >= 0);
ALTER TABLE usage_rows ADD COLUMN missed_cost_nusd INTEGER CHECK (missed_cost_nusd >= 0);
CREATE INDEX usage_rows_affinity_ts ON usage_rows (affinity_id, ts);`,
    rebuildsRollup: true,
  },
  {
    version: 4,
    description:
      "forwarding to a central ledger: per target, the last local row id it has confirmed, so a restarted forwarder resumes there",
    sql: `
CREATE TABLE forward_marks (
  target TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL CHECK (last_id >= 0),
  updated_at INTEGER NOT NULL
) STRICT;`,
  },
  {
    version: 5,
    description:
      "the rollups keep each call's miss cause and upstream, and a daily rollup without the session joins the hourly one, so a month's report by any group but session or hour reads a few thousand rows",
    sql: "-- usage_rows is unchanged; the rollups are rebuilt with their new keys",
    rebuildsRollup: true,
  },
  {
    version: 6,
    description:
      "what the provider could not serve: the shared prefix past its cache plateau (a rollup total), the causes plateau, not_ready and replica_unreported, and the plateaus learned per model, so a restart remembers them",
    // SQLite cannot change a CHECK in place: miss_cause is copied into a column with the new
    // list, then takes its name back. The rollup trigger reads the column, so it is dropped first
    // (rebuildsRollup creates it again). Earlier rows keep their causes and a NULL beyond the
    // plateau (not accounted for it), never a made-up 0.
    sql: `
DROP TRIGGER IF EXISTS usage_rows_rollup;
ALTER TABLE usage_rows ADD COLUMN miss_cause_v6 TEXT ${missCauseCheck("miss_cause_v6", V6_MISS_CAUSES)};
UPDATE usage_rows SET miss_cause_v6 = miss_cause WHERE miss_cause IS NOT NULL;
ALTER TABLE usage_rows DROP COLUMN miss_cause;
ALTER TABLE usage_rows RENAME COLUMN miss_cause_v6 TO miss_cause;
ALTER TABLE usage_rows ADD COLUMN beyond_plateau_tokens INTEGER CHECK (beyond_plateau_tokens >= 0);
CREATE TABLE cache_plateaus (
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  tokens INTEGER NOT NULL CHECK (tokens > 0),
  learned_at INTEGER NOT NULL,
  PRIMARY KEY (provider, model)
) STRICT;`,
    rebuildsRollup: true,
  },
  {
    version: 7,
    description:
      "prices added later reach rows recorded without one (`usage-ledger reprice`): when a row was repriced and by whose prices, and a rollup trigger that keeps the hourly and daily sums equal to the rows when a row's cost changes in place",
    // The list of sources is frozen here, like the step.
    sql: `
ALTER TABLE usage_rows ADD COLUMN repriced_at INTEGER;
ALTER TABLE usage_rows ADD COLUMN repriced_from TEXT
  CHECK (repriced_from IN ('config', 'listing', 'config+listing'));`,
    rebuildsRollup: true,
  },
  {
    version: 8,
    description:
      "which shard of its agent's workspace id a call went on under the optimizer's bounded scope, so a busy agent's spread shows per row",
    // Earlier rows keep NULL: no shard was chosen for them.
    sql: "ALTER TABLE usage_rows ADD COLUMN affinity_shard INTEGER CHECK (affinity_shard >= 0);",
  },
];

export const LEDGER_SCHEMA_VERSION = LEDGER_STEPS.at(-1)?.version ?? 1;

export interface MigrationResult {
  from: number;
  to: number;
}

const userVersion = (db: DatabaseSync): number =>
  Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);

/**
 * Runs the steps the file has not had yet. A file of a newer version (written by a newer
 * plugin) is left as it is: its added columns have defaults, so this version's rows still insert.
 */
export function migrateLedger(
  db: DatabaseSync,
  steps: readonly LedgerStep[] = LEDGER_STEPS,
): MigrationResult {
  return inTransaction(db, () => {
    const from = userVersion(db);
    let version = from;
    if (version === 0) {
      db.exec(USAGE_ROWS_V1);
      version = 1;
    }
    const pending = steps.filter((step) => step.version > version);
    for (const step of pending) {
      if (step.version !== version + 1) {
        throw new Error(`ledger migration steps skip from version ${version} to ${step.version}`);
      }
      db.exec(step.sql);
      version = step.version;
    }
    if (pending.some((step) => step.rebuildsRollup)) db.exec(rebuildRollupSql());
    if (version !== from) db.exec(`PRAGMA user_version = ${version}`);
    return { from, to: version };
  });
}

/** Opens (creating if needed) a ledger file and brings it to the current layout. */
export function openLedger(path: string, options: { busyTimeoutMs?: number } = {}): DatabaseSync {
  const db = openDatabase(path, options);
  try {
    migrateLedger(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The version of a file opened read-only (reports), to know whether it must be migrated first. */
export const ledgerVersion = userVersion;
