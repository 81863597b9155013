import type { DatabaseSync } from "node:sqlite";
import { ROLLUPS } from "./rollup.ts";

const DAY_MS = 86_400_000;
const CHUNK = 5_000;

/**
 * Deletes ledger rows older than `cutoffMs`, rounded down to a whole UTC day so the rollups
 * (hourly and daily) and the raw rows always cover the same span. Works in chunks (one short write lock each) and
 * stops after `maxChunks`, so a first prune of a large ledger never holds the event loop for
 * long: `done` is false when rows are left for the next pass.
 */
export function pruneLedger(
  db: DatabaseSync,
  cutoffMs: number,
  maxChunks = 20,
): { deleted: number; done: boolean } {
  const cutoff = Math.floor(cutoffMs / DAY_MS) * DAY_MS;
  const chunk = db.prepare(
    `DELETE FROM usage_rows WHERE id IN (SELECT id FROM usage_rows WHERE ts < ? LIMIT ${CHUNK})`,
  );
  let deleted = 0;
  for (let round = 0; round < maxChunks; round++) {
    const changes = Number(chunk.run(cutoff).changes);
    deleted += changes;
    if (changes < CHUNK) {
      for (const { table, time } of Object.values(ROLLUPS))
        db.prepare(`DELETE FROM ${table} WHERE ${time} < ?`).run(cutoff);
      return { deleted, done: true };
    }
  }
  return { deleted, done: false };
}
