import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import type { CallObservation } from "./accounting.ts";

/** The previous call of an affinity id as the ledger stored it (for after a restart). */
export interface StoredCall {
  callId: string;
  ts: number;
  promptTokens: number;
  cacheRead: number;
  cacheWrite: number;
  upstream: string | undefined;
}

export interface CacheHistoryOptions {
  /** The optimizer's prompt digests of a call (the route-store seam). */
  prefixOf: (callId: string) => PromptPrefix | undefined;
  /** The latest stored call of an id before `ts`, when it is not in memory. */
  storedBefore: (affinityId: string, ts: number) => StoredCall | undefined;
  /** Affinity ids remembered in memory (least recently used forgotten first). */
  maxIds?: number;
}

/** One call as the cache accounting compares the next call of its id with it. */
export interface RememberedCall extends CallObservation {
  callId: string;
}

/**
 * The previous call of each affinity id, which the cache accounting compares a call with: the
 * last one accounted in this process, else the latest the ledger stored before it (a restart).
 * It is asked at batch time, after the calls happened, so the digests the optimizer stored a
 * moment after each request are there to read.
 */
export class CacheHistory {
  readonly #last = new Map<string, RememberedCall>();
  readonly #options: Required<CacheHistoryOptions>;

  constructor(options: CacheHistoryOptions) {
    this.#options = { maxIds: 10_000, ...options };
  }

  /** The call before `callId` (at `ts`) in the conversation `affinityId`, if one is known. */
  previous(affinityId: string, callId: string, ts: number): CallObservation | undefined {
    const known = this.#last.get(affinityId);
    // A replayed row (same call) is compared with what came before it, as the first time.
    if (known && known.callId !== callId) return known;
    const stored = this.#options.storedBefore(affinityId, ts);
    if (!stored || stored.callId === callId) return undefined;
    return { ...stored, prefix: this.#options.prefixOf(stored.callId) };
  }

  /** Makes `call` the one the next call of `affinityId` is compared with. */
  remember(affinityId: string, call: RememberedCall): void {
    this.#last.delete(affinityId);
    this.#last.set(affinityId, call);
    if (this.#last.size > this.#options.maxIds) {
      const oldest = this.#last.keys().next();
      if (!oldest.done) this.#last.delete(oldest.value);
    }
  }
}
