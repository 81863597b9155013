import { existsSync } from "node:fs";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { inTransaction, openDatabase } from "@cloudsigma/taas-core/sqlite";
import type { LedgerRow } from "../store/columns.ts";
import { GIST_TABLE, GIST_TABLE_SQL, LEDGER_SOURCE_EVENT } from "./gist-file.ts";

/*
 * Keeps the original extension's `llm_usage_events` table current while its file is in use, so
 * dashboards that read it go on working: every batch the ledger commits is written there too,
 * one row per call in the extension's shape, by the same batch timer (never on a turn's path).
 * The ledger's rows come first and are already committed when this runs: a failure here (the
 * file locked, read-only, removed) loses nothing of the ledger; it is logged once, when it
 * starts, and once more when the table takes rows again.
 */

const INSERT_GIST_ROW = `INSERT INTO ${GIST_TABLE} (
  ts, request_id, model, provider, input_tokens, output_tokens, total_tokens,
  cache_creation_input_tokens, cache_read_input_tokens, latency_ms, success, source_event, raw_json
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export interface GistMirrorOptions {
  path: string;
  busyTimeoutMs: number;
  warn: (message: string) => void;
  debug?: (message: string) => void;
}

export class GistMirror {
  readonly path: string;
  readonly #options: GistMirrorOptions;
  #open: { db: DatabaseSync; insert: StatementSync } | undefined;
  #failing = false;

  constructor(options: GistMirrorOptions) {
    this.path = options.path;
    this.#options = options;
  }

  /** Writes the batch's rows with usage to the table; never throws. Returns the rows written. */
  write(rows: readonly LedgerRow[]): number {
    const mirrored = rows.filter((row) => row.usage.known && row.usage.total > 0);
    if (mirrored.length === 0) return 0;
    try {
      // The file is only ever written while it is there: one moved away is not made again.
      if (!existsSync(this.path)) throw new Error("the file is gone (moved or deleted)");
      const { db, insert } = this.#connection();
      inTransaction(db, () => {
        for (const row of mirrored) insert.run(...gistRowParams(row));
      });
      if (this.#failing) this.#options.warn(`${this.#where()} takes rows again`);
      this.#failing = false;
      this.#options.debug?.(`${this.#where()}: ${mirrored.length} row(s) written`);
      return mirrored.length;
    } catch (error) {
      this.close();
      if (!this.#failing) {
        this.#options.warn(
          `${this.#where()} not written (${errorText(error)}); the ledger's own rows are kept, and dashboards reading that table miss calls until it can be written again`,
        );
      }
      this.#failing = true;
      return 0;
    }
  }

  close(): void {
    try {
      this.#open?.db.close();
    } catch {
      // Already closed.
    }
    this.#open = undefined;
  }

  #connection(): { db: DatabaseSync; insert: StatementSync } {
    if (!this.#open) {
      const db = openDatabase(this.path, { busyTimeoutMs: this.#options.busyTimeoutMs });
      try {
        db.exec(GIST_TABLE_SQL);
        this.#open = { db, insert: db.prepare(INSERT_GIST_ROW) };
      } catch (error) {
        db.close();
        throw error;
      }
    }
    return this.#open;
  }

  #where(): string {
    return `original usage-ledger table ${GIST_TABLE} in ${this.path}`;
  }
}

/**
 * One row as the extension wrote it: `request_id` the call (else run) id, `success` 0 for a
 * failed call, `raw_json` what the ledger knows beyond the extension's columns.
 */
export function gistRowParams(row: LedgerRow): Array<string | number | null> {
  const raw = {
    eventId: row.eventId,
    granularity: row.granularity,
    calls: row.calls,
    agentId: row.agentId,
    sessionKey: row.sessionKey,
    runId: row.runId,
    trigger: row.trigger,
    routedModel: row.routedModel,
    costNano: row.costNano,
    costState: row.costState,
    outcome: row.outcome,
  };
  return [
    Math.trunc(row.ts),
    row.callId ?? row.runId,
    row.model,
    row.provider,
    row.usage.input,
    row.usage.output,
    row.usage.total,
    row.usage.cacheWrite,
    row.usage.cacheRead,
    row.latencyMs,
    row.outcome === "error" ? 0 : 1,
    LEDGER_SOURCE_EVENT,
    JSON.stringify(raw),
  ];
}
