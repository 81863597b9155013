import type { PromptPrefix, RouteCapture } from "@cloudsigma/taas-core/contracts/route-store";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { isBusyError } from "@cloudsigma/taas-core/sqlite";
import { promptPrefix } from "./prompt-prefix.ts";
import type { CallPrefix, RouteStoreCaps } from "./route-store-writer.ts";

/** The part of the route store writer this queue needs (a fake in tests). */
export interface CaptureSink {
  write(
    captures: readonly RouteCapture[],
    caps: RouteStoreCaps,
    prefixes?: readonly CallPrefix[],
  ): void;
}

interface Pending {
  capture: RouteCapture;
  /** The request body as sent, digested at flush time and then let go. */
  payload?: unknown;
  prefix?: PromptPrefix;
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
  readonly #pending: Pending[] = [];
  readonly #options: Required<CaptureWriterOptions>;
  #scheduled = false;
  #warned = false;

  constructor(options: CaptureWriterOptions) {
    this.#options = { maxPending: 1000, retryDelayMs: 250, ...options };
  }

  /**
   * Queues a capture and, when given, the request body it answered: the body's prefix digests
   * are computed when the batch is written, after the request went out, not on its path.
   */
  enqueue(capture: RouteCapture, payload?: unknown): void {
    this.#pending.push(payload === undefined ? { capture } : { capture, payload });
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
    const prefixes: CallPrefix[] = [];
    for (const entry of batch) {
      if (entry.payload !== undefined) {
        entry.prefix = digestQuietly(entry.payload);
        entry.payload = undefined;
      }
      if (entry.prefix && entry.capture.callId) {
        prefixes.push({ callId: entry.capture.callId, prefix: entry.prefix });
      }
    }
    try {
      this.#options.sink().write(
        batch.map((entry) => entry.capture),
        this.#options.caps,
        prefixes,
      );
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

/** A body we cannot digest (a cycle, a getter that throws) costs the call its prefix, nothing more. */
function digestQuietly(payload: unknown): PromptPrefix | undefined {
  try {
    return promptPrefix(payload);
  } catch {
    return undefined;
  }
}
