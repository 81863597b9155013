import type { DatabaseSync } from "node:sqlite";

const HOUR_MS = 3_600_000;
const CHUNK = 5_000;

/**
 * Deletes ledger rows older than `cutoffMs`, rounded down to a whole hour so the hourly rollup
 * and the raw rows always cover the same span. Works in chunks (one short write lock each) and
 * stops after `maxChunks`, so a first prune of a large ledger never holds the event loop for
 * long: `done` is false when rows are left for the next pass.
 */
export function pruneLedger(
  db: DatabaseSync,
  cutoffMs: number,
  maxChunks = 20,
): { deleted: number; done: boolean } {
  const cutoff = Math.floor(cutoffMs / HOUR_MS) * HOUR_MS;
  const chunk = db.prepare(
    `DELETE FROM usage_rows WHERE id IN (SELECT id FROM usage_rows WHERE ts < ? LIMIT ${CHUNK})`,
  );
  let deleted = 0;
  for (let round = 0; round < maxChunks; round++) {
    const changes = Number(chunk.run(cutoff).changes);
    deleted += changes;
    if (changes < CHUNK) {
      db.prepare("DELETE FROM usage_hourly WHERE hour_ms < ?").run(cutoff);
      return { deleted, done: true };
    }
  }
  return { deleted, done: false };
}
