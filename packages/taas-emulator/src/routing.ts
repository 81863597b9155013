import { sha256Hex } from "./ids.ts";
import { asRecord } from "./messages.ts";
import type { RoutingSource } from "./types.ts";

export interface RoutingKey {
  key: string | null;
  source: RoutingSource;
}

export interface RoutingDecision extends RoutingKey {
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
  const candidates: [RoutingSource, unknown][] = [
    ["metadata.session_id", field(metadata, "session_id")],
    ["metadata.sticky_key", field(metadata, "sticky_key")],
    ["x-session-id", headers.get("x-session-id")],
    ["prompt_cache_key", field(body, "prompt_cache_key")],
  ];
  for (const [source, raw] of candidates) {
    const key = keyValue(raw);
    if (key !== null) return { key, source };
  }
  return { key: null, source: "round-robin" };
}

/** Rendezvous hashing: adding or removing a replica only moves the keys that scored it highest. */
export function rendezvousIndex(key: string, replicas: number): number {
  let best = 0;
  let bestScore = "";
  for (let index = 0; index < replicas; index++) {
    const score = sha256Hex(`${key}\u0000${replicaName(index)}`);
    if (score > bestScore) {
      best = index;
      bestScore = score;
    }
  }
  return best;
}

export class Router {
  readonly #replicas: number;
  #next = 0;

  constructor(replicas: number) {
    this.#replicas = replicas;
  }

  route(body: unknown, headers: Headers): RoutingDecision {
    const routing = extractRoutingKey(body, headers);
    let index: number;
    if (routing.key === null) {
      index = this.#next % this.#replicas;
      this.#next = (this.#next + 1) % this.#replicas;
    } else {
      index = rendezvousIndex(routing.key, this.#replicas);
    }
    return { ...routing, index, name: replicaName(index) };
  }

  reset(): void {
    this.#next = 0;
  }
}
