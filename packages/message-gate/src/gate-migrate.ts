import { DatabaseSync } from "node:sqlite";
import { quoted } from "@cloudsigma/taas-core/quoted";
import { inTransaction } from "@cloudsigma/taas-core/sqlite";
import { configPath } from "./config.ts";
import { GATE_SCHEMA } from "./gate-schema.ts";
import { PLUGIN_ID } from "./identity.ts";

/**
 * Ledgers written by lorene-gate have the same tables with fewer columns: requests lack
 * `rearmed_at` (the watchdog's once-only mark) and responses lack `decision` and `reason`
 * (lorene-gate recorded allowed sends only, so its rows are `allowed`; their reason was never
 * kept). Adding the columns keeps the arms and history of an existing installation.
 */
const ADDED_COLUMNS = [
  { table: "requests", column: "rearmed_at", definition: "INTEGER" },
  {
    table: "responses",
    column: "decision",
    definition: "TEXT NOT NULL DEFAULT 'allowed' CHECK (decision IN ('allowed', 'cancelled'))",
  },
  { table: "responses", column: "reason", definition: "TEXT NOT NULL DEFAULT 'legacy'" },
] as const;

const FIX =
  `move the file aside (or set ${configPath("dbPath")} to a new file) and restart the gateway; ` +
  "until then every reply to a protected peer is cancelled";

/** A ledger the gate refuses: its message says what is wrong and how to fix it. */
export class UnusableLedgerError extends Error {
  override name = "UnusableLedgerError";
}

/** Brings a ledger to the current layout in one transaction, or refuses it saying how to fix it. */
export function prepareLedger(db: DatabaseSync, path: string): void {
  inTransaction(db, () => {
    for (const { table, column, definition } of ADDED_COLUMNS) {
      const columns = columnsOf(db, table);
      if (columns.size > 0 && !columns.has(column)) {
        db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
      }
    }
    db.exec(GATE_SCHEMA);
    const missing = [...expectedColumns()].flatMap(([table, columns]) => {
      const present = columnsOf(db, table);
      return columns.filter((column) => !present.has(column)).map((column) => `${table}.${column}`);
    });
    if (missing.length > 0) {
      // Thrown inside the transaction: a refused file is left exactly as it was.
      throw new UnusableLedgerError(
        `${PLUGIN_ID}: the ledger ${quoted(path, 200)} has an unknown layout (missing ${missing.slice(0, 5).join(", ")}); ${FIX}`,
      );
    }
  });
}

/** How to fix a ledger that cannot be opened at all, for the error that reports it. */
export function unusableLedger(path: string, problem: string): UnusableLedgerError {
  return new UnusableLedgerError(
    `${PLUGIN_ID}: the ledger ${quoted(path, 200)} cannot be used (${problem}); ${FIX}`,
  );
}

function columnsOf(db: DatabaseSync, table: string): Set<string> {
  const rows = db.prepare("SELECT name FROM pragma_table_info(?)").all(table);
  return new Set(rows.map((row) => String(row.name)));
}

/** The columns of every table of the current schema, read from a scratch in-memory ledger. */
function expectedColumns(): Map<string, string[]> {
  const scratch = new DatabaseSync(":memory:");
  try {
    scratch.exec(GATE_SCHEMA);
    const tables = scratch
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all()
      .map((row) => String(row.name));
    return new Map(tables.map((table) => [table, [...columnsOf(scratch, table)]]));
  } finally {
    scratch.close();
  }
}
