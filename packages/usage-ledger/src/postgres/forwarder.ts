import { existsSync } from "node:fs";
import type { DatabaseSync } from "node:sqlite";
import { errorText } from "@cloudsigma/taas-core/error-text";
import type { Row } from "@cloudsigma/taas-core/sql-rows";
import { openLedger } from "../store/migrate.ts";
import { type CentralValue, centralRow } from "./schema.ts";

/*
 * Forwards the local ledger to the central PostgreSQL table. SQLite stays the source of truth
 * and the outbox: each tick reads the rows after the target's high-water mark (`forward_marks`,
 * in the ledger file), sends them in batches and moves the mark only after PostgreSQL committed
 * the batch. A batch sent again after a crash or a lost answer is ignored by the central key
 * (gateway_id, event_id), so delivery is at least once and storage exactly once. Runs on a
 * timer in the gateway, never on a model call's path.
 */

/** What the forwarder needs from PostgreSQL (the `postgres` client in production). */
export interface CentralSink {
  /** Creates or checks the central table (once per connection). */
  prepare(): Promise<void>;
  insert(rows: Array<Record<string, CentralValue>>): Promise<void>;
  close(): Promise<void>;
}

export interface ForwarderOptions {
  ledgerPath: string;
  /** Names the target in `forward_marks` and in log lines; never holds a password. */
  target: string;
  gatewayId: string;
  sink: CentralSink;
  batchSize: number;
  intervalMs: number;
  /** Batches per tick, so one tick of a long catch-up does not hold the event loop long. */
  maxBatchesPerTick?: number;
  /** Longest wait between retries while PostgreSQL is unreachable. */
  maxBackoffMs?: number;
  /** Unsent rows beyond which a "falling behind" line is logged (at most every 5 minutes). */
  behindRows?: number;
  logger: { warn(message: string): void; info?(message: string): void };
  now?: () => number;
}

const BEHIND_LOG_EVERY_MS = 5 * 60_000;

export class LedgerForwarder {
  readonly #o: Required<Omit<ForwarderOptions, "logger">> & { logger: ForwarderOptions["logger"] };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #prepared = false;
  #failures = 0;
  #lastBehindLog = Number.NEGATIVE_INFINITY;
  #stopped = false;

  constructor(options: ForwarderOptions) {
    this.#o = {
      maxBatchesPerTick: 20,
      maxBackoffMs: 60_000,
      behindRows: options.batchSize * 20,
      now: Date.now,
      ...options,
    };
  }

  start(): void {
    this.#schedule(this.#o.intervalMs);
  }

  /** One pass: sends what is unsent, up to the batch limit. Resolves when done or failed. */
  tick(): Promise<void> {
    this.#running ??= this.#pass()
      .catch((error: unknown) => {
        // The local file (locked, unreadable): nothing was lost, the next tick tries again.
        this.#failures = Math.min(this.#failures + 1, 16);
        this.#o.logger.warn(`forwarding: could not read the local ledger (${errorText(error)})`);
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    await this.#o.sink.close().catch(() => undefined);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.tick().then(() => {
        // Retry sooner than the interval never; later while PostgreSQL keeps failing.
        const backoff = Math.min(this.#o.maxBackoffMs, this.#o.intervalMs * 2 ** this.#failures);
        this.#schedule(this.#failures > 0 ? backoff : this.#o.intervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }

  async #pass(): Promise<void> {
    if (!existsSync(this.#o.ledgerPath)) return;
    const db = openLedger(this.#o.ledgerPath, { busyTimeoutMs: 25 });
    try {
      let mark = readMark(db, this.#o.target);
      for (let batch = 0; batch < this.#o.maxBatchesPerTick && !this.#stopped; batch++) {
        const rows = db
          .prepare("SELECT * FROM usage_rows WHERE id > ? ORDER BY id LIMIT ?")
          .all(mark, this.#o.batchSize) as Row[];
        if (rows.length === 0) break;
        if (!(await this.#send(rows))) return;
        mark = Number(rows.at(-1)?.id ?? mark);
        writeMark(db, this.#o.target, mark, this.#o.now());
      }
      this.#reportLag(db, mark);
    } finally {
      db.close();
    }
  }

  async #send(rows: Row[]): Promise<boolean> {
    try {
      if (!this.#prepared) {
        await this.#o.sink.prepare();
        this.#prepared = true;
      }
      await this.#o.sink.insert(rows.map((row) => centralRow(this.#o.gatewayId, row)));
      if (this.#failures > 0) {
        this.#o.logger.warn(`forwarding to ${this.#o.target} works again; catching up`);
      }
      this.#failures = 0;
      return true;
    } catch (error) {
      this.#failures = Math.min(this.#failures + 1, 16);
      this.#prepared = false;
      // First failure and then every 10th: enough to see an outage, not a line per retry.
      if (this.#failures === 1 || this.#failures % 10 === 0) {
        this.#o.logger.warn(
          `forwarding to ${this.#o.target} failed (${scrub(errorText(error))}); rows stay in the local ledger and are retried`,
        );
      }
      return false;
    }
  }

  #reportLag(db: DatabaseSync, mark: number): void {
    const unsent = Number(
      db.prepare("SELECT count(*) AS n FROM usage_rows WHERE id > ?").get(mark)?.n ?? 0,
    );
    const now = this.#o.now();
    if (unsent > this.#o.behindRows && now - this.#lastBehindLog >= BEHIND_LOG_EVERY_MS) {
      this.#lastBehindLog = now;
      this.#o.logger.warn(
        `forwarding to ${this.#o.target} is behind by ${unsent} rows (they are sent in batches of ${this.#o.batchSize})`,
      );
    }
  }
}

export function readMark(db: DatabaseSync, target: string): number {
  const row = db.prepare("SELECT last_id FROM forward_marks WHERE target = ?").get(target);
  return Number(row?.last_id ?? 0);
}

function writeMark(db: DatabaseSync, target: string, lastId: number, now: number): void {
  db.prepare(
    `INSERT INTO forward_marks (target, last_id, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (target) DO UPDATE SET last_id = excluded.last_id, updated_at = excluded.updated_at`,
  ).run(target, lastId, now);
}

/** A URL's password, should a driver message ever quote one, never reaches the log. */
export const scrub = (text: string): string => text.replace(/(\/\/[^:/@\s]+):[^@\s]*@/g, "$1:***@");
