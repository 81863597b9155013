import { errorText } from "@cloudsigma/taas-core/error-text";
import { inTransaction, type SqliteFailure, sqliteFailure } from "@cloudsigma/taas-core/sqlite";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import type { LedgerRow } from "./columns.ts";
import { Fifo } from "./fifo.ts";
import { failureWords } from "./file-health.ts";
import { insertRow, type LedgerConnection, LedgerFile } from "./ledger-file.ts";
import { RetentionPass } from "./retention.ts";

export interface WriterLogger {
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void; // config `debug`: a line per written batch, at info level
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
   * Where rows wait, oldest first. The default keeps each record as it is given (a row finished
   * elsewhere); the ledger's pipeline passes one that enriches a record when a batch first takes
   * it (`pipeline.ts`), so routes and prices are looked up at batch time, once per row.
   */
  queue?: RowQueue;
  /** Told a committed batch's new rows, on the writer's timer; what it throws is only logged. */
  afterBatch?: (rows: readonly LedgerRow[]) => void;
}

/**
 * The rows waiting for the writer. `peek` hands out finished rows and must hand out the same
 * rows again until they are dropped: a batch that is retried is the same batch.
 */
export interface RowQueue {
  readonly size: number;
  push(record: UsageRecord): void;
  peek(count: number): LedgerRow[];
  drop(count: number): void;
}

export interface FlushResult {
  inserted: number;
  duplicates: number;
  /** Rows still queued after this flush (kept for the next batch). */
  queued: number;
}

const MAX_BACKOFF_MS = 2_000;

/** A written batch, or why it was not: kept for a retry, or its file set aside (write again now). */
type BatchOutcome = { inserted: number; duplicates: number } | "retry" | "set-aside";

const silent: WriterLogger = { warn: () => {}, error: () => {} };

/**
 * Stores finished ledger rows off the turn's path: hooks only `enqueue`, a timer writes up to
 * `batchSize` rows per IMMEDIATE transaction. Whatever the database's or the disk's trouble
 * (locked, full, read-only, I/O errors, the file deleted or replaced), the rows stay queued and
 * are retried with a short backoff, so a row is never silently lost and a turn never waits on a
 * lock; only a row the schema itself rejects is dropped, by name. A corrupt file is set aside
 * and a fresh ledger started in its place. The database is opened on the first flush, not before.
 */
export class LedgerWriter {
  private readonly queue: RowQueue;
  private readonly file: LedgerFile;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** What the last failed write met, named when rows are still unwritten at close. */
  private lastFailure: SqliteFailure = "busy";
  private readonly retention: RetentionPass;
  private dropped = 0;
  private readonly options: Required<Omit<LedgerWriterOptions, "queue">>;

  constructor({ queue, ...options }: LedgerWriterOptions) {
    this.queue = queue ?? new Fifo<LedgerRow>();
    this.options = {
      batchSize: 500,
      flushIntervalMs: 250,
      maxQueuedRows: 100_000,
      busyTimeoutMs: 25,
      retentionDays: 0,
      logger: silent,
      now: Date.now,
      afterBatch: () => {},
      ...options,
    };
    this.retention = new RetentionPass(this.options.retentionDays, this.options.logger.warn);
    this.file = new LedgerFile(this.options.path, {
      busyTimeoutMs: this.options.busyTimeoutMs,
      warn: this.options.logger.warn,
    });
  }

  get queued(): number {
    return this.queue.size;
  }

  enqueue(record: UsageRecord): void {
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
    let setAside = false;
    for (let batches = 0; this.queue.size > 0 && batches < maxBatches; batches++) {
      const outcome = this.writeBatch();
      // A corrupt file set aside: the batch goes to the fresh ledger at once (once per flush,
      // so a disk that corrupts every new file too ends in the backoff, not in a loop).
      if (outcome === "set-aside" && !setAside) {
        setAside = true;
        batches--;
        continue;
      }
      if (typeof outcome === "string") {
        failed = true;
        break;
      }
      inserted += outcome.inserted;
      duplicates += outcome.duplicates;
    }
    if (this.queue.size > 0) this.schedule(failed ? this.backoffMs() : 0);
    else this.retention.maybeRun(this.file.db, this.options.now());
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
        `closing the ledger with ${result.queued} row(s) unwritten: database ${this.options.path} stayed ${failureWords(this.lastFailure)}`,
      );
    }
    this.file.close();
    return result;
  }

  /**
   * Writes the oldest batch. The ledger is opened (and a corrupt one set aside) before the batch
   * is taken, so a queue that finishes rows when they are taken reads a ledger that is there.
   */
  private writeBatch(): BatchOutcome {
    let connection: LedgerConnection;
    try {
      connection = this.file.connection();
    } catch (error) {
      return this.fail(error);
    }
    const batch = this.queue.peek(this.options.batchSize);
    const now = this.options.now();
    try {
      const inserted = inTransaction(connection.db, () =>
        batch.filter((record) => insertRow(connection, record, now) > 0),
      );
      this.queue.drop(batch.length);
      this.failures = 0;
      this.written(inserted);
      return { inserted: inserted.length, duplicates: batch.length - inserted.length };
    } catch (error) {
      if (sqliteFailure(error) === "bad-row") return this.isolateBadRows(batch, connection, error);
      return this.fail(error);
    }
  }

  /**
   * The schema rejected something in the batch: retry row by row. Rows the schema rejects while
   * others succeed are bad data (dropped, each logged with its event id); any other failure on
   * the way, or every row failing, means the database is at fault, so all are kept for later.
   */
  private isolateBadRows(
    batch: LedgerRow[],
    connection: LedgerConnection,
    cause: unknown,
  ): BatchOutcome {
    const now = this.options.now();
    const bad: Array<{ record: LedgerRow; error: unknown }> = [];
    const inserted: LedgerRow[] = [];
    for (const record of batch) {
      try {
        if (insertRow(connection, record, now) > 0) inserted.push(record);
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
    this.written(inserted);
    return { inserted: inserted.length, duplicates: batch.length - inserted.length - bad.length };
  }

  /** The rows a committed batch added (not replays): the debug line, then `afterBatch`. */
  private written(rows: readonly LedgerRow[]): void {
    this.options.logger.debug?.(`${rows.length} row(s) written to ${this.options.path}`);
    try {
      this.options.afterBatch(rows);
    } catch (error) {
      this.options.logger.warn(`after a written batch: ${errorText(error)}`);
    }
  }

  private fail(error: unknown): "retry" | "set-aside" {
    const kind = sqliteFailure(error);
    if (kind === "corrupt" && this.setAside(error)) return "set-aside";
    this.failures += 1;
    this.lastFailure = kind;
    if (kind !== "busy") this.file.close(); // reopen next time (file replaced, disk fixed, ...)
    if (this.failures === 1 || this.failures % 20 === 0) {
      const what = failureWords(kind);
      this.options.logger.warn(
        `ledger database ${this.options.path} is ${what} (${errorText(error)}); ${this.queue.size} row(s) kept for the next batch`,
      );
    }
    return "retry";
  }

  /**
   * A corrupt file takes no more rows however often it is retried: it is moved aside (kept,
   * named with the time) and the next open creates a fresh ledger. False when it cannot be moved.
   */
  private setAside(error: unknown): boolean {
    const { path, logger } = this.options;
    let aside: string;
    try {
      aside = this.file.setAside(new Date(this.options.now()));
    } catch (moveError) {
      this.failures += 1;
      this.lastFailure = "corrupt";
      if (this.failures === 1 || this.failures % 20 === 0) {
        logger.error(
          `ledger file ${path} is corrupt (${errorText(error)}) and could not be moved aside (${errorText(moveError)}); ${this.queue.size} row(s) kept in memory until it can`,
        );
      }
      return false;
    }
    logger.error(
      `ledger file ${path} is corrupt (${errorText(error)}): moved it aside to ${aside} (with its -wal and -shm files, kept for recovery) and started a fresh ledger at ${path}; recording goes on there`,
    );
    return true;
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
}
