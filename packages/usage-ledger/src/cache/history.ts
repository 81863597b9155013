import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import { accountCall, type CacheAccounting, type CallObservation } from "./accounting.ts";
import type { GeometryLookup } from "./geometry.ts";

/** One call as the ledger accounts for it, with what the optimizer captured for it. */
export interface AccountedCall {
  callId: string;
  ts: number;
  provider: string | null;
  /** The model that served it (the routed one for autorouted calls). */
  model: string | null;
  promptTokens: number;
  cacheRead: number;
  /** The affinity id the call was sent with; undefined without the optimizer's capture. */
  affinityId: string | undefined;
  upstream: string | undefined;
}

/** The previous call of an affinity id as the ledger stored it (for after a restart). */
export interface StoredCall {
  callId: string;
  ts: number;
  promptTokens: number;
  cacheRead: number;
  upstream: string | undefined;
}

export interface CacheHistoryOptions {
  geometry: GeometryLookup;
  /** The optimizer's prompt digests of a call (the route-store seam). */
  prefixOf: (callId: string) => PromptPrefix | undefined;
  /** The latest stored call of an id before `ts`, when it is not in memory. */
  storedBefore: (affinityId: string, ts: number) => StoredCall | undefined;
  /** Affinity ids remembered in memory (least recently used forgotten first). */
  maxIds?: number;
}

interface Remembered extends CallObservation {
  callId: string;
}

/**
 * The per-affinity-id memory the cache accounting needs: each call is compared with the
 * previous call of its id. It runs in the ledger writer's batch, after the calls happened, so
 * the digests the optimizer stored a moment after each request are there to read.
 */
export class CacheHistory {
  readonly #last = new Map<string, Remembered>();
  readonly #options: Required<CacheHistoryOptions>;

  constructor(options: CacheHistoryOptions) {
    this.#options = { maxIds: 10_000, ...options };
  }

  account(call: AccountedCall): CacheAccounting {
    const current: Remembered = {
      callId: call.callId,
      ts: call.ts,
      promptTokens: call.promptTokens,
      cacheRead: call.cacheRead,
      upstream: call.upstream,
      prefix: call.affinityId ? this.#options.prefixOf(call.callId) : undefined,
    };
    const geometry = this.#options.geometry(call.provider, call.model);
    if (!call.affinityId) return accountCall(current, undefined, geometry);
    const previous = this.#previous(call.affinityId, call);
    const result = accountCall(current, previous, geometry);
    if (!previous || previous.ts <= call.ts) this.#remember(call.affinityId, current);
    return result;
  }

  #previous(affinityId: string, call: AccountedCall): Remembered | undefined {
    const known = this.#last.get(affinityId);
    // A replayed row (same call) is compared with what came before it, as the first time.
    if (known && known.callId !== call.callId) return known;
    const stored = this.#options.storedBefore(affinityId, call.ts);
    if (!stored || stored.callId === call.callId) return undefined;
    return { ...stored, prefix: this.#options.prefixOf(stored.callId) };
  }

  #remember(affinityId: string, call: Remembered): void {
    this.#last.delete(affinityId);
    this.#last.set(affinityId, call);
    if (this.#last.size > this.#options.maxIds) {
      const oldest = this.#last.keys().next();
      if (!oldest.done) this.#last.delete(oldest.value);
    }
  }
}
