import type { DatabaseSync, StatementSync } from "node:sqlite";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { inTransaction, sqliteFailure } from "@cloudsigma/taas-core/sqlite";
import { noPrices, type PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import type { CacheAccountant } from "../enrich/cache-accountant.ts";
import { completeAtWrite, type RouteLookup } from "../enrich/route-price.ts";
import { INSERT_USAGE_ROW, type LedgerRow, usageRowParams } from "./columns.ts";
import { Fifo } from "./fifo.ts";
import { failureWords, fileIdentity } from "./file-health.ts";
import { openLedger } from "./migrate.ts";
import { pruneLedger } from "./retention.ts";

export interface WriterLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface LedgerWriterOptions {
  path: string;
  /** Rows per transaction. */
  batchSize?: number;
  /** How long a row may wait in memory before its batch is written (ms). */
  flushIntervalMs?: number;
  /** Rows kept in memory while the database is unavailable; beyond this the oldest are dropped, loudly. */
  maxQueuedRows?: number;
  /** SQLite's own lock wait. Short: node:sqlite blocks the event loop (and so the turn) while it waits. */
  busyTimeoutMs?: number;
  /** Delete rows older than this many days (0 keeps everything). */
  retentionDays?: number;
  logger?: WriterLogger;
  now?: () => number;
  /**
   * Fills `upstreamRoute` and, for autorouted calls, `routedModel` at write time: the
   * optimizer's capture is written a moment after the response arrives, so asking when the
   * batch goes out (not when the call ends) finds it, and the SQLite read stays off the turn's
   * path. See `write-time-pricing.ts`.
   */
  routeLookup?: RouteLookup;
  /** The prices every row is priced with when written: the config's, then the gateway's listing. */
  prices?: PriceLookup;
  /** Accounts each call row's cache use once its route is known (none: rows carry no cause). */
  accountant?: CacheAccountant;
}

export interface FlushResult {
  inserted: number;
  duplicates: number;
  /** Rows still queued after this flush (kept for the next batch). */
  queued: number;
}

const MAX_BACKOFF_MS = 2_000;

const PRUNE_EVERY_MS = 3_600_000;
const silent: WriterLogger = { warn: () => {}, error: () => {} };

/**
 * Batches ledger rows off the turn's path: hooks only `enqueue`, a timer writes up to
 * `batchSize` rows per IMMEDIATE transaction. Whatever the database's or the disk's trouble
 * (locked, full, read-only, I/O errors, the file deleted or replaced), the rows stay queued and
 * are retried with a short backoff, so a row is never silently lost and a turn never waits on a
 * lock; only a row the schema itself rejects is dropped, by name. The database is opened on the
 * first flush, not before.
 */
export class LedgerWriter {
  private readonly queue = new Fifo<LedgerRow>();
  private readonly completed = new WeakSet<LedgerRow>();
  private db: DatabaseSync | undefined;
  private insert: StatementSync | undefined;
  /** The file the open connection writes to, to notice it being deleted or replaced. */
  private inode: { dev: number; ino: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private lastPrune = 0;
  private dropped = 0;
  private readonly options: Required<Omit<LedgerWriterOptions, "accountant">> &
    Pick<LedgerWriterOptions, "accountant">;

  constructor(options: LedgerWriterOptions) {
    this.options = {
      batchSize: 500,
      flushIntervalMs: 250,
      maxQueuedRows: 100_000,
      busyTimeoutMs: 25,
      retentionDays: 0,
      logger: silent,
      now: Date.now,
      routeLookup: () => undefined,
      prices: noPrices,
      ...options,
    };
  }

  get queued(): number {
    return this.queue.size;
  }

  enqueue(record: LedgerRow): void {
    if (this.queue.size >= this.options.maxQueuedRows) {
      this.queue.drop(1);
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.options.logger.error(
          `ledger queue full (${this.options.maxQueuedRows} rows, database unavailable): dropped ${this.dropped} oldest row(s) so far`,
        );
      }
    }
    this.queue.push(record);
    // A full batch goes out at once, unless the database is failing: then the backoff stands.
    const full = this.queue.size >= this.options.batchSize && this.failures === 0;
    this.schedule(full ? 0 : this.options.flushIntervalMs);
  }

  /**
   * Writes up to `maxBatches` batches now, one transaction each, and schedules the rest on the
   * next tick, so a large backlog never holds the event loop (and the turns on it) for long.
   */
  flush(maxBatches = 4): FlushResult {
    this.clearTimer();
    let inserted = 0;
    let duplicates = 0;
    let failed = false;
    for (let batches = 0; this.queue.size > 0 && batches < maxBatches; batches++) {
      const outcome = this.writeBatch(this.queue.peek(this.options.batchSize));
      if (outcome === "retry") {
        failed = true;
        break;
      }
      inserted += outcome.inserted;
      duplicates += outcome.duplicates;
    }
    if (this.queue.size > 0) this.schedule(failed ? this.backoffMs() : 0);
    else this.maybePrune();
    return { inserted, duplicates, queued: this.queue.size };
  }

  /** Final flush (a few immediate retries on a busy database), then closes the connection. */
  close(): FlushResult {
    let result = this.flush(Number.POSITIVE_INFINITY);
    for (let attempt = 0; attempt < 5 && result.queued > 0; attempt++) {
      result = this.flush(Number.POSITIVE_INFINITY);
    }
    this.clearTimer();
    if (result.queued > 0) {
      this.options.logger.error(
        `closing the ledger with ${result.queued} row(s) unwritten: database ${this.options.path} stayed busy`,
      );
    }
    this.closeDb();
    return result;
  }

  private writeBatch(batch: LedgerRow[]): { inserted: number; duplicates: number } | "retry" {
    let db: DatabaseSync;
    let insert: StatementSync;
    try {
      ({ db, insert } = this.connection());
    } catch (error) {
      return this.fail(error);
    }
    const now = this.options.now();
    this.complete(batch, db);
    try {
      const inserted = inTransaction(db, () => {
        let count = 0;
        for (const record of batch)
          count += Number(insert.run(...usageRowParams(record, now)).changes);
        return count;
      });
      this.queue.drop(batch.length);
      this.failures = 0;
      return { inserted, duplicates: batch.length - inserted };
    } catch (error) {
      if (sqliteFailure(error) === "bad-row") return this.isolateBadRows(batch, error);
      return this.fail(error);
    }
  }

  /** Routes and prices each row once, on its first write attempt (a retry keeps the result). */
  private complete(batch: LedgerRow[], db: DatabaseSync): void {
    for (const record of batch) {
      if (this.completed.has(record)) continue;
      const route = completeAtWrite(record, this.options.routeLookup, this.options.prices);
      this.options.accountant?.account(record, route?.affinityId, db);
      this.completed.add(record);
    }
  }

  /**
   * The schema rejected something in the batch: retry row by row. Rows the schema rejects while
   * others succeed are bad data (dropped, each logged with its event id); any other failure on
   * the way, or every row failing, means the database is at fault, so all are kept for later.
   */
  private isolateBadRows(
    batch: LedgerRow[],
    cause: unknown,
  ): { inserted: number; duplicates: number } | "retry" {
    const insert = this.insert;
    if (!insert) return this.fail(cause);
    const now = this.options.now();
    const bad: Array<{ record: LedgerRow; error: unknown }> = [];
    let inserted = 0;
    for (const record of batch) {
      try {
        inserted += Number(insert.run(...usageRowParams(record, now)).changes);
      } catch (error) {
        if (sqliteFailure(error) !== "bad-row") return this.fail(error);
        bad.push({ record, error });
      }
    }
    if (bad.length === batch.length) return this.fail(cause);
    for (const { record, error } of bad) {
      this.options.logger.error(
        `ledger row ${record.eventId} rejected and dropped: ${errorText(error)}`,
      );
    }
    this.queue.drop(batch.length);
    this.failures = 0;
    return { inserted, duplicates: batch.length - inserted - bad.length };
  }

  private fail(error: unknown): "retry" {
    this.failures += 1;
    const kind = sqliteFailure(error);
    if (kind !== "busy") this.closeDb(); // reopen next time (file replaced, disk fixed, ...)
    if (this.failures === 1 || this.failures % 20 === 0) {
      const what = failureWords(kind);
      this.options.logger.warn(
        `ledger database ${this.options.path} is ${what} (${errorText(error)}); ${this.queue.size} row(s) kept for the next batch`,
      );
    }
    return "retry";
  }

  private connection(): { db: DatabaseSync; insert: StatementSync } {
    if (this.db && this.fileReplaced()) {
      this.options.logger.warn(
        `ledger file ${this.options.path} was deleted or replaced while open; reopening it (rows written before are not in the new file)`,
      );
      this.closeDb();
    }
    if (!this.db || !this.insert) {
      const db = openLedger(this.options.path, { busyTimeoutMs: this.options.busyTimeoutMs });
      this.db = db;
      this.insert = db.prepare(INSERT_USAGE_ROW);
      this.inode = fileIdentity(this.options.path);
    }
    return { db: this.db, insert: this.insert };
  }

  private fileReplaced(): boolean {
    const now = fileIdentity(this.options.path);
    return !now || !this.inode || now.dev !== this.inode.dev || now.ino !== this.inode.ino;
  }

  private maybePrune(): void {
    const now = this.options.now();
    if (this.options.retentionDays <= 0 || !this.db || now - this.lastPrune < PRUNE_EVERY_MS)
      return;
    try {
      const { done } = pruneLedger(this.db, now - this.options.retentionDays * 86_400_000);
      if (done) this.lastPrune = now; // otherwise the next flush continues the pass
    } catch (error) {
      this.lastPrune = now;
      this.options.logger.warn(`ledger retention pass skipped: ${errorText(error)}`);
    }
  }

  private backoffMs(): number {
    return Math.min(MAX_BACKOFF_MS, 25 * 2 ** Math.min(this.failures, 10));
  }

  private schedule(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delayMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private closeDb(): void {
    try {
      this.db?.close();
    } catch {
      // Already closed.
    }
    this.db = undefined;
    this.insert = undefined;
    this.inode = undefined;
  }
}
