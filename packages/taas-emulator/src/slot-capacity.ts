import { setTimeout as delay } from "node:timers/promises";
import type { SlotOverflow } from "./types.ts";

export interface SlotLimits {
  /** Requests a replica serves at once; 0 is unlimited. */
  maxConcurrent: number;
  /** Requests a replica admits per sliding minute; 0 is unlimited. */
  requestsPerMinute: number;
  overflow: SlotOverflow;
}

export interface Admission {
  index: number;
  /** The replica the request was meant for, when it spilled to `index` instead. */
  spilledFrom: number | null;
  /** Emulator-clock milliseconds spent queueing for room. */
  waitedMs: number;
  /** Frees the request's place; later calls do nothing. */
  release(): void;
}

const MINUTE_MS = 60_000;
/** How often a queued request looks for room (real time; the room itself is on the emulator clock). */
const WAIT_POLL_MS = 5;

/**
 * What a TaaS slot (an OAuth token, a Bedrock region, a Claude Code node) can take: slots are
 * finite and rate-limited upstream (the optimizer's README). The limits and what happens past them
 * (another slot, or a queue) are the emulator's model; TaaS documents no numbers.
 */
export class SlotCapacity {
  readonly #limits: SlotLimits;
  readonly #now: () => number;
  readonly #inFlight: number[];
  readonly #admitted: number[][];

  constructor(replicas: number, limits: SlotLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
    this.#inFlight = Array.from({ length: replicas }, () => 0);
    this.#admitted = Array.from({ length: replicas }, () => []);
  }

  hasRoom(index: number): boolean {
    const { maxConcurrent, requestsPerMinute } = this.#limits;
    if (maxConcurrent > 0 && (this.#inFlight[index] ?? 0) >= maxConcurrent) return false;
    if (requestsPerMinute === 0) return true;
    const times = this.#admitted[index] ?? [];
    const since = this.#now() - MINUTE_MS;
    while (times.length > 0 && (times[0] ?? 0) <= since) times.shift();
    return times.length < requestsPerMinute;
  }

  /**
   * Admits a request to the first of `ranking` (its replica), or when that one is full, to the
   * next with room (`spill`) or after queueing for it (`wait`). With nowhere to spill it queues.
   */
  async admit(ranking: readonly number[], signal?: AbortSignal): Promise<Admission> {
    const preferred = ranking[0] ?? 0;
    if (this.hasRoom(preferred)) return this.#take(preferred, null, 0);
    if (this.#limits.overflow === "spill") {
      const other = ranking.find((index) => index !== preferred && this.hasRoom(index));
      if (other !== undefined) return this.#take(other, preferred, 0);
    }
    const start = this.#now();
    while (!this.hasRoom(preferred)) await delay(WAIT_POLL_MS, undefined, { signal });
    return this.#take(preferred, null, this.#now() - start);
  }

  clear(): void {
    this.#inFlight.fill(0);
    for (const times of this.#admitted) times.length = 0;
  }

  #take(index: number, spilledFrom: number | null, waitedMs: number): Admission {
    this.#inFlight[index] = (this.#inFlight[index] ?? 0) + 1;
    this.#admitted[index]?.push(this.#now());
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#inFlight[index] = Math.max(0, (this.#inFlight[index] ?? 0) - 1);
    };
    return { index, spilledFrom, waitedMs, release };
  }
}
