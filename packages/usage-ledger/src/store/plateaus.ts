import type { DatabaseSync, StatementSync } from "node:sqlite";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import type { LedgerRow } from "./columns.ts";
import { fileIdentity } from "./file-health.ts";

/**
 * The plateaus the cache accounting learned per model (`cache/plateau.ts`), kept in the ledger
 * file (table `cache_plateaus`, schema version 6) so a restarted gateway does not take a first
 * short read for a new plateau. Written in the same transaction as the batch whose rows taught
 * them; read once when the accounting first needs them.
 */

/** One model's learned plateau as the file keeps it. */
export interface StoredPlateau {
  /** Lower-cased, as the geometry lookup keys providers. */
  provider: string;
  model: string;
  tokens: number;
}

/** The most models remembered, in the file as in memory; the most recently learned are kept. */
export const MAX_PLATEAUS = 1024;

const REMEMBER = `INSERT INTO cache_plateaus (provider, model, tokens, learned_at) VALUES (?, ?, ?, ?)
ON CONFLICT (provider, model) DO UPDATE SET tokens = excluded.tokens, learned_at = excluded.learned_at`;
const FORGET = "DELETE FROM cache_plateaus WHERE provider = ? AND model = ?";
const READ = `SELECT provider, model, tokens FROM cache_plateaus ORDER BY learned_at DESC LIMIT ${MAX_PLATEAUS}`;

export interface PlateauStatements {
  remember: StatementSync;
  forget: StatementSync;
}

export const preparePlateaus = (db: DatabaseSync): PlateauStatements => ({
  remember: db.prepare(REMEMBER),
  forget: db.prepare(FORGET),
});

/** The model a row's plateau belongs to: the one that served the call. */
export function plateauModel(row: Pick<LedgerRow, "provider" | "model" | "routedModel">): {
  provider: string;
  model: string;
} {
  return {
    provider: (row.provider ?? "").toLowerCase(),
    model: row.routedModel ?? row.model ?? "",
  };
}

/** Keeps what a row's call taught of its model's plateau, if anything. */
export function keepPlateau(statements: PlateauStatements, row: LedgerRow, now: number): void {
  const tokens = row.cache?.learnedPlateau;
  if (tokens === undefined) return;
  const { provider, model } = plateauModel(row);
  if (tokens === null) statements.forget.run(provider, model);
  else statements.remember.run(provider, model, tokens, Math.trunc(now));
}

/** The stored plateaus (none without a file). Throws what SQLite throws; the caller reports it. */
export function readStoredPlateaus(path: string): StoredPlateau[] {
  if (!fileIdentity(path)) return [];
  const db = openDatabase(path, { readOnly: true, busyTimeoutMs: 25 });
  try {
    return db
      .prepare(READ)
      .all()
      .map((row) => ({
        provider: String(row.provider),
        model: String(row.model),
        tokens: Number(row.tokens),
      }));
  } finally {
    db.close();
  }
}
