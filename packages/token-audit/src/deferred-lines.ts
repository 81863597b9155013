/**
 * A call's audit line is priced a moment after the call ends, not at once: for an autorouted
 * call the price depends on the model TaaS routed it to, which the token-cache optimizer stores
 * from the response headers on its own schedule (right after them, off the request path), and
 * the host can report the call's end before that store is written. The usage ledger waits the
 * same way (it prices a row when its batch is written), so the two read the same capture.
 * Lines still waiting are written, priced with what is known by then, when the plugin shuts
 * down.
 */

/** How long a finished call waits before its line is priced: the ledger's default batch wait. */
export const PRICE_AFTER_MS = 250;

export interface LineTimer {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const nodeTimer: LineTimer = {
  set: (run, ms) => setTimeout(run, ms).unref(),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class DeferredLines<T> {
  readonly #pending = new Map<T, unknown>();
  readonly #write: (item: T) => void;
  readonly #delayMs: number;
  readonly #timer: LineTimer;

  constructor(write: (item: T) => void, options: { delayMs?: number; timer?: LineTimer } = {}) {
    this.#write = write;
    this.#delayMs = options.delayMs ?? PRICE_AFTER_MS;
    this.#timer = options.timer ?? nodeTimer;
  }

  add(item: T): void {
    this.#pending.set(
      item,
      this.#timer.set(() => this.#take(item), this.#delayMs),
    );
  }

  /** Writes every waiting item now (shutdown). */
  flush(): void {
    for (const [item, handle] of [...this.#pending]) {
      this.#timer.clear(handle);
      this.#take(item);
    }
  }

  #take(item: T): void {
    if (!this.#pending.delete(item)) return;
    this.#write(item);
  }
}
