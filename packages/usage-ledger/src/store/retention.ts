import type { DatabaseSync } from "node:sqlite";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { ROLLUPS } from "./rollup.ts";

const DAY_MS = 86_400_000;
const CHUNK = 5_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The writer's retention passes: at most one an hour, run after a flush that emptied the queue;
 * a pass cut short (rows left) continues on the next such flush. A failed pass waits an hour.
 */
export class RetentionPass {
  #last = 0;
  readonly #days: number;
  readonly #warn: (message: string) => void;

  constructor(days: number, warn: (message: string) => void) {
    this.#days = days;
    this.#warn = warn;
  }

  maybeRun(db: DatabaseSync | undefined, now: number): void {
    if (this.#days <= 0 || !db || now - this.#last < PRUNE_EVERY_MS) return;
    try {
      const { done } = pruneLedger(db, now - this.#days * DAY_MS);
      if (done) this.#last = now;
    } catch (error) {
      this.#last = now;
      this.#warn(`ledger retention pass skipped: ${errorText(error)}`);
    }
  }
}

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
