import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import { RowEnricher, type RowEnricherOptions } from "./enrich/enricher.ts";
import type { LedgerRow } from "./store/columns.ts";
import { Fifo } from "./store/fifo.ts";
import { LedgerWriter, type LedgerWriterOptions, type RowQueue } from "./store/writer.ts";

/*
 * The ledger's write path, one job per stage:
 *
 *   hooks ── UsageRecord ──▶ raw queue            (the turn's path: a push, nothing else)
 *   batch timer ──▶ enrich (route, price, cache)   (a new row per record, once)
 *               ──▶ finished queue ──▶ writer      (one transaction per batch, retried as is)
 *
 * A record is enriched when a batch first takes it, not when the call ends: the optimizer's
 * route capture and prompt digests land a moment after the response, and by batch time they are
 * there to read. A batch that fails is retried with the rows already finished, never enriched
 * again, so a call's cache accounting (which remembers it as the previous call of its
 * conversation) happens once.
 */

/** Raw records in, finished rows out: each record is enriched once, when a batch takes it. */
export class EnrichingQueue implements RowQueue {
  readonly #raw = new Fifo<LedgerRow>();
  readonly #finished = new Fifo<LedgerRow>();
  readonly #finish: (record: LedgerRow) => LedgerRow;

  constructor(finish: (record: LedgerRow) => LedgerRow) {
    this.#finish = finish;
  }

  get size(): number {
    return this.#raw.size + this.#finished.size;
  }

  push(record: UsageRecord): void {
    this.#raw.push(record);
  }

  peek(count: number): LedgerRow[] {
    const missing = count - this.#finished.size;
    if (missing > 0) {
      for (const record of this.#raw.peek(missing)) {
        this.#finished.push(this.#finish(record));
        this.#raw.drop(1);
      }
    }
    return this.#finished.peek(count);
  }

  /** Drops the oldest rows: finished ones first (they were queued first), then raw ones. */
  drop(count: number): void {
    const finished = Math.min(count, this.#finished.size);
    this.#finished.drop(finished);
    this.#raw.drop(count - finished);
  }
}

export interface LedgerPipelineOptions
  extends Omit<LedgerWriterOptions, "queue">,
    RowEnricherOptions {
  /** Told about every finished row (the warm-miss log line). */
  onRow?: (row: LedgerRow) => void;
}

/** A writer whose rows are the tracker's records, enriched at batch time. */
export function ledgerPipeline(options: LedgerPipelineOptions): LedgerWriter {
  const { onRow, prices, routes, cache, failures, ...writer } = options;
  const enricher = new RowEnricher({ prices, routes, cache, failures });
  const queue = new EnrichingQueue((record) => {
    const row = enricher.enrich(record);
    onRow?.(row);
    return row;
  });
  return new LedgerWriter({ ...writer, queue });
}
