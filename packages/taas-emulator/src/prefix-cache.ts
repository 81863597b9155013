import { createHash } from "node:crypto";

export interface CacheGeometry {
  minTokens: number;
  stepTokens: number;
}

export interface PrefixBoundary {
  /** Number of prompt tokens this boundary covers. */
  tokens: number;
  /** Chained hash identifying exactly the first `tokens` tokens. */
  key: string;
}

const CHAIN_SEED = Buffer.from("taas-emulator-prefix-v1");

/** Largest cacheable prefix length: 0 below the minimum, else floored to the step grid. */
export function cacheableLength(promptTokens: number, geometry: CacheGeometry): number {
  if (promptTokens < geometry.minTokens) return 0;
  const steps = Math.floor((promptTokens - geometry.minTokens) / geometry.stepTokens);
  return geometry.minTokens + steps * geometry.stepTokens;
}

/**
 * Hashes every cacheable boundary of a prompt. Each hash covers the previous hash plus only
 * the tokens since the previous boundary, so a prompt is hashed in one linear pass.
 */
export function prefixBoundaries(tokens: Uint32Array, geometry: CacheGeometry): PrefixBoundary[] {
  const last = cacheableLength(tokens.length, geometry);
  const boundaries: PrefixBoundary[] = [];
  let previous: Buffer = CHAIN_SEED;
  let start = 0;
  for (let end = geometry.minTokens; end <= last && last > 0; end += geometry.stepTokens) {
    const slice = tokens.subarray(start, end);
    const digest = createHash("sha256")
      .update(previous)
      .update(new Uint8Array(slice.buffer, slice.byteOffset, slice.byteLength))
      .digest();
    boundaries.push({ tokens: end, key: digest.toString("base64") });
    previous = digest;
    start = end;
  }
  return boundaries;
}

/**
 * What a replica knows of one boundary. `pending` is held but not readable yet; `expired` and
 * `evicted` say why a boundary it held is no longer served: an evicted entry that would have
 * expired by now anyway counts as expired.
 */
export type BoundaryStatus = "live" | "pending" | "expired" | "evicted" | "unknown";

interface Entry {
  lastUsed: number;
  /** When the boundary becomes readable: a delayed-family cache builds it after it is sent. */
  readyAt: number;
}

interface Departure {
  lastUsed: number;
  evicted: boolean;
}

/**
 * One replica's prefix cache: boundary hash -> time of last use. Map insertion order doubles
 * as the LRU order, so the least recently used (and therefore first to expire) entries sit at
 * the front. Entries that left are remembered (at most `capacity` of them, oldest forgotten
 * first) with why they left, so a miss can be explained.
 */
export class ReplicaPrefixCache {
  readonly #entries = new Map<string, Entry>();
  readonly #departed = new Map<string, Departure>();
  readonly #ttlMs: number;
  readonly #capacity: number;

  constructor(ttlMs: number, capacity: number) {
    this.#ttlMs = ttlMs;
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Longest prefix whose boundary is cached and live; does not touch recency. */
  lookup(boundaries: readonly PrefixBoundary[], now: number): number {
    for (let i = boundaries.length - 1; i >= 0; i--) {
      const boundary = boundaries[i];
      if (boundary !== undefined && this.status(boundary.key, now) === "live") {
        return boundary.tokens;
      }
    }
    return 0;
  }

  /** Whether this replica serves the boundary now, or why not; does not touch recency. */
  status(key: string, now: number): BoundaryStatus {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (now - entry.lastUsed >= this.#ttlMs) return "expired";
      return now < entry.readyAt ? "pending" : "live";
    }
    const departure = this.#departed.get(key);
    if (departure === undefined) return "unknown";
    return departure.evicted && now - departure.lastUsed < this.#ttlMs ? "evicted" : "expired";
  }

  /**
   * Marks every boundary as just used (inserting the new ones, readable from `readyAt`; a held
   * one keeps its own), then evicts past capacity.
   */
  store(boundaries: readonly PrefixBoundary[], now: number, readyAt = now): void {
    this.#dropExpired(now);
    for (const boundary of boundaries) {
      const held = this.#entries.get(boundary.key);
      this.#entries.delete(boundary.key);
      this.#departed.delete(boundary.key);
      this.#entries.set(boundary.key, { lastUsed: now, readyAt: held?.readyAt ?? readyAt });
    }
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.entries().next();
      if (oldest.done) break;
      this.#depart(oldest.value[0], oldest.value[1].lastUsed, true);
    }
  }

  lookupAndStore(boundaries: readonly PrefixBoundary[], now: number): number {
    const cached = this.lookup(boundaries, now);
    this.store(boundaries, now);
    return cached;
  }

  clear(): void {
    this.#entries.clear();
    this.#departed.clear();
  }

  #dropExpired(now: number): void {
    for (const [key, { lastUsed }] of this.#entries) {
      if (now - lastUsed < this.#ttlMs) break;
      this.#depart(key, lastUsed, false);
    }
  }

  #depart(key: string, lastUsed: number, evicted: boolean): void {
    this.#entries.delete(key);
    this.#departed.set(key, { lastUsed, evicted });
    if (this.#departed.size > this.#capacity) {
      const oldest = this.#departed.keys().next();
      if (!oldest.done) this.#departed.delete(oldest.value);
    }
  }
}
