import { sha256Hex } from "./ids.ts";
import { asRecord } from "./messages.ts";
import { SeededRandom } from "./seeded-random.ts";
import type { KeylessRouting, RoutingSource } from "./types.ts";

export type AffinitySource = Exclude<RoutingSource, KeylessRouting>;

export type RoutingKey = { key: string; source: AffinitySource } | { key: null; source: null };

export interface RoutingDecision {
  key: string | null;
  source: RoutingSource;
  /** Zero-based replica index. */
  index: number;
  name: string;
}

export function replicaName(index: number): string {
  return `replica-${index + 1}`;
}

function keyValue(value: unknown): string | null {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

function field(value: unknown, name: string): unknown {
  return asRecord(value)?.[name];
}

/** Affinity key, first present wins; the order mirrors how specific each hint is. */
export function extractRoutingKey(body: unknown, headers: Headers): RoutingKey {
  const metadata = field(body, "metadata");
  const candidates: [AffinitySource, unknown][] = [
    ["metadata.session_id", field(metadata, "session_id")],
    ["metadata.sticky_key", field(metadata, "sticky_key")],
    ["x-session-id", headers.get("x-session-id")],
    ["prompt_cache_key", field(body, "prompt_cache_key")],
  ];
  for (const [source, raw] of candidates) {
    const key = keyValue(raw);
    if (key !== null) return { key, source };
  }
  return { key: null, source: null };
}

/**
 * Rendezvous hashing: adding or removing a replica only moves the keys that scored it highest.
 * Drained replicas are skipped, so a key moves to its second choice while its replica is out.
 */
export function rendezvousIndex(
  key: string,
  replicas: number,
  drained: ReadonlySet<number> = new Set(),
): number {
  let best = 0;
  let bestScore = "";
  for (let index = 0; index < replicas; index++) {
    if (drained.has(index) && drained.size < replicas) continue;
    const score = sha256Hex(`${key}\u0000${replicaName(index)}`);
    if (score > bestScore) {
      best = index;
      bestScore = score;
    }
  }
  return best;
}

export interface RouterOptions {
  replicas: number;
  keylessRouting: KeylessRouting;
  keylessSeed: number;
}

/** A key always reaches the same replica; keyless requests go where `keylessRouting` says. */
export class Router {
  readonly #replicas: number;
  readonly #keyless: KeylessRouting;
  readonly #random: SeededRandom;
  readonly #drained = new Set<number>();
  #next = 0;

  constructor(options: RouterOptions) {
    this.#replicas = options.replicas;
    this.#keyless = options.keylessRouting;
    this.#random = new SeededRandom(options.keylessSeed);
  }

  route(body: unknown, headers: Headers): RoutingDecision {
    const routing = extractRoutingKey(body, headers);
    if (routing.key !== null) {
      const index = rendezvousIndex(routing.key, this.#replicas, this.#drained);
      return { ...routing, index, name: replicaName(index) };
    }
    const index = this.#keylessIndex();
    return { key: null, source: this.#keyless, index, name: replicaName(index) };
  }

  /**
   * Takes replicas out of rotation (as a TaaS maintenance would) or, with none, puts all back.
   * Their caches stay as they were; a key whose replica is out goes to its second choice.
   */
  drain(indexes: readonly number[]): void {
    this.#drained.clear();
    for (const index of indexes) if (index >= 0 && index < this.#replicas) this.#drained.add(index);
  }

  /** Replays keyless routing from the start and puts every replica back in rotation. */
  reset(): void {
    this.#next = 0;
    this.#random.reset();
    this.#drained.clear();
  }

  #keylessIndex(): number {
    for (let attempt = 0; attempt < 64; attempt++) {
      const index = this.#nextKeyless();
      if (!this.#drained.has(index) || this.#drained.size >= this.#replicas) return index;
    }
    return this.#nextKeyless();
  }

  #nextKeyless(): number {
    if (this.#keyless === "random") return this.#random.below(this.#replicas);
    const index = this.#next;
    this.#next = (this.#next + 1) % this.#replicas;
    return index;
  }
}
