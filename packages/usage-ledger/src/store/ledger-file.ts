import type { DatabaseSync, StatementSync } from "node:sqlite";
import { INSERT_USAGE_ROW, type LedgerRow, usageRowParams } from "./columns.ts";
import { fileIdentity } from "./file-health.ts";
import { openLedger } from "./migrate.ts";
import { keepPlateau, type PlateauStatements, preparePlateaus } from "./plateaus.ts";
import { setAsideLedger } from "./set-aside.ts";

export interface LedgerConnection {
  db: DatabaseSync;
  insert: StatementSync;
  plateaus: PlateauStatements;
}

/** Inserts one row (0 changes: a replay) and keeps what it taught of its model's plateau. */
export function insertRow(
  connection: LedgerConnection,
  row: LedgerRow,
  recordedAt: number,
): number {
  const changes = Number(connection.insert.run(...usageRowParams(row, recordedAt)).changes);
  keepPlateau(connection.plateaus, row, recordedAt);
  return changes;
}

/**
 * The writer's one connection to its ledger file, opened when a batch needs it. An operator may
 * delete the file, restore another over it, or find it corrupt and have it set aside: each time
 * the path names another file than the one open, so the connection follows the path, never the
 * old inode (rows written to a deleted file would be lost without a word).
 */
export class LedgerFile {
  readonly path: string;
  readonly #busyTimeoutMs: number;
  readonly #warn: (message: string) => void;
  #open: LedgerConnection | undefined;
  #identity: { dev: number; ino: number } | undefined;

  constructor(path: string, options: { busyTimeoutMs: number; warn: (message: string) => void }) {
    this.path = path;
    this.#busyTimeoutMs = options.busyTimeoutMs;
    this.#warn = options.warn;
  }

  /** The open connection, if any (the retention pass runs only on one already open). */
  get db(): DatabaseSync | undefined {
    return this.#open?.db;
  }

  /** Opens (creating and migrating) the file, or reopens it when it was replaced. May throw. */
  connection(): LedgerConnection {
    if (this.#open && this.#replaced()) {
      this.#warn(
        `ledger file ${this.path} was deleted or replaced while open; reopening it (rows written before are not in the new file)`,
      );
      this.close();
    }
    if (!this.#open) {
      const db = openLedger(this.path, { busyTimeoutMs: this.#busyTimeoutMs });
      try {
        this.#open = { db, insert: db.prepare(INSERT_USAGE_ROW), plateaus: preparePlateaus(db) };
      } catch (error) {
        db.close();
        throw error;
      }
      this.#identity = fileIdentity(this.path);
    }
    return this.#open;
  }

  /** Closes the connection and moves the corrupt file aside; returns where it went. May throw. */
  setAside(now: Date): string {
    this.close();
    return setAsideLedger(this.path, now);
  }

  close(): void {
    try {
      this.#open?.db.close();
    } catch {
      // Already closed.
    }
    this.#open = undefined;
    this.#identity = undefined;
  }

  #replaced(): boolean {
    const now = fileIdentity(this.path);
    const was = this.#identity;
    return !now || !was || now.dev !== was.dev || now.ino !== was.ino;
  }
}
