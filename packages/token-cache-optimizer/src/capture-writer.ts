import { errorText } from "@cloudsigma/taas-core/error-text";
import type { RouteCapture } from "@cloudsigma/taas-core/route-store";
import { isBusyError } from "@cloudsigma/taas-core/sqlite";
import type { RouteStoreCaps } from "./route-store-writer.ts";

/** The part of the route store writer this queue needs (a fake in tests). */
export interface CaptureSink {
  write(captures: readonly RouteCapture[], caps: RouteStoreCaps): void;
}

export interface CaptureWriterOptions {
  sink: () => CaptureSink;
  caps: RouteStoreCaps;
  warn: (message: string) => void;
  /** Pending captures kept while the store is unavailable; the oldest are dropped past it. */
  maxPending?: number;
  retryDelayMs?: number;
}

/**
 * Queues route captures from the response path and writes them to SQLite a moment later, in
 * one transaction per batch: the request never waits on the disk. A locked database is retried
 * after a short delay; captures are kept meanwhile (bounded). The plugin's shutdown (gateway
 * stop and process exit, see runtime.ts) flushes synchronously, so a `--local` run that ends
 * right after its turn still leaves its route.
 */
export class CaptureWriter {
  readonly #pending: RouteCapture[] = [];
  readonly #options: Required<CaptureWriterOptions>;
  #scheduled = false;
  #warned = false;

  constructor(options: CaptureWriterOptions) {
    this.#options = { maxPending: 1000, retryDelayMs: 250, ...options };
  }

  enqueue(capture: RouteCapture): void {
    this.#pending.push(capture);
    if (this.#pending.length > this.#options.maxPending) this.#pending.shift();
    this.#schedule(0);
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Writes everything queued now. Returns false when the store was busy or failed. */
  flush(): boolean {
    if (this.#pending.length === 0) return true;
    const batch = this.#pending.slice();
    try {
      this.#options.sink().write(batch, this.#options.caps);
      this.#pending.splice(0, batch.length);
      this.#warned = false;
      return true;
    } catch (error) {
      if (!isBusyError(error) && !this.#warned) {
        this.#warned = true;
        this.#options.warn(`route capture not stored yet (${errorText(error)}); will retry`);
      }
      return false;
    }
  }

  #schedule(delayMs: number): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const run = () => {
      this.#scheduled = false;
      if (!this.flush()) this.#schedule(this.#options.retryDelayMs);
    };
    // unref: a pending retry must never keep a finished CLI run alive; the shutdown flush covers it.
    if (delayMs === 0) setImmediate(run);
    else setTimeout(run, delayMs).unref();
  }
}
