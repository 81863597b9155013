import { AffinityBindings } from "./affinity-bindings.ts";
import { type Identity, readIdentity } from "./identity.ts";
import { sha256Hex } from "./ids.ts";
import {
  type ContinuityInput,
  KeylessContinuity,
  NEW_SESSION_CONFIDENCE,
} from "./keyless-continuity.ts";
import { SeededRandom } from "./seeded-random.ts";
import type {
  AffinityBinding,
  KeylessRouting,
  KeyOrder,
  MatchReason,
  RoutingSource,
} from "./types.ts";

export { type AffinitySource, extractRoutingKey, type RoutingKey } from "./identity.ts";

export interface RoutingDecision {
  key: string | null;
  source: RoutingSource;
  /** Zero-based replica index. */
  index: number;
  name: string;
  matchReason: MatchReason;
  /** The keyless heuristic's confidence; null for an id. */
  matchConfidence: number | null;
  fallbackReason: Identity["fallbackReason"];
  agentId: string | null;
  /** Where the request may go, best first (`index` first); drained replicas left out. */
  ranking: number[];
}

export function replicaName(index: number): string {
  return `replica-${index + 1}`;
}

/** Replicas by rendezvous score for a key, best first; drained ones left out unless all are. */
export function rendezvousRanking(
  key: string,
  replicas: number,
  drained: ReadonlySet<number> = new Set(),
): number[] {
  const scored = Array.from({ length: replicas }, (_, index) => ({
    index,
    score: sha256Hex(`${key}\u0000${replicaName(index)}`),
  }));
  scored.sort((a, b) => (a.score < b.score ? 1 : a.score > b.score ? -1 : 0));
  const ranking = scored.map((entry) => entry.index);
  const open = ranking.filter((index) => !drained.has(index));
  return open.length > 0 ? open : ranking;
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
  return rendezvousRanking(key, replicas, drained)[0] ?? 0;
}

export interface RouterOptions {
  replicas: number;
  keylessRouting: KeylessRouting;
  keylessSeed: number;
  keyOrder?: KeyOrder;
  requireAgentId?: boolean;
  affinityBinding?: AffinityBinding;
  now?: () => number;
}

/**
 * Picks each request's replica: an honoured id goes to its replica (recomputed by rendezvous
 * hashing, or bound once and kept); a request without one goes where `keylessRouting` says.
 */
export class Router {
  readonly #options: Required<RouterOptions>;
  readonly #random: SeededRandom;
  readonly #drained = new Set<number>();
  readonly #bindings = new AffinityBindings();
  readonly #continuity = new KeylessContinuity();
  #next = 0;

  constructor(options: RouterOptions) {
    this.#options = {
      keyOrder: "emulator",
      requireAgentId: false,
      affinityBinding: "hash",
      now: Date.now,
      ...options,
    };
    this.#random = new SeededRandom(options.keylessSeed);
  }

  route(body: unknown, headers: Headers, prompt?: ContinuityInput): RoutingDecision {
    const identity = readIdentity(body, headers, this.#options);
    if (identity.key !== null && identity.source !== null) {
      return this.#keyed(identity, identity.key, identity.source);
    }
    const keyless = this.#options.keylessRouting;
    const guess =
      keyless === "continuity" && prompt !== undefined
        ? this.#continuity.guess(prompt, () => this.#random.next())
        : { index: null, reason: "new" as const, confidence: NEW_SESSION_CONFIDENCE };
    const guessed = guess.index !== null && !this.#drained.has(guess.index);
    const index = guessed && guess.index !== null ? guess.index : this.#keylessIndex();
    return {
      key: null,
      source: keyless,
      index,
      name: replicaName(index),
      matchReason: guessed ? guess.reason : "new",
      matchConfidence: guessed ? guess.confidence : NEW_SESSION_CONFIDENCE,
      fallbackReason: identity.fallbackReason,
      agentId: identity.agentId,
      ranking: this.#cyclicFrom(index),
    };
  }

  /**
   * Where the request was served in the end (another replica when its own was full): a stored
   * binding follows it, and a keyless request's replica and tool calls are kept for later guesses.
   */
  settle(
    decision: RoutingDecision,
    index: number,
    prompt?: ContinuityInput,
    toolCallIds?: readonly string[],
  ): void {
    if (decision.key !== null) this.#bindings.bind(decision.key, index, this.#options.now());
    else if (prompt !== undefined) this.#continuity.remember(prompt, index, toolCallIds);
  }

  /**
   * Takes replicas out of rotation (as a TaaS maintenance would) or, with none, puts all back.
   * Their caches stay as they were; a key whose replica is out goes to its second choice.
   */
  drain(indexes: readonly number[]): void {
    this.#drained.clear();
    for (const index of indexes) {
      if (index >= 0 && index < this.#options.replicas) this.#drained.add(index);
    }
  }

  /** Replays keyless routing from the start, forgets ids, puts every replica back in rotation. */
  reset(): void {
    this.#next = 0;
    this.#random.reset();
    this.#drained.clear();
    this.#bindings.clear();
    this.#continuity.clear();
  }

  #keyed(identity: Identity, key: string, source: RoutingDecision["source"]): RoutingDecision {
    const ranking = rendezvousRanking(key, this.#options.replicas, this.#drained);
    const bound = this.#bindings.lookup(key, this.#options.now());
    // A stored binding moves only when its replica is drained (or, on admission, full).
    const keep =
      this.#options.affinityBinding === "stored" && bound !== null && ranking.includes(bound);
    const index = keep && bound !== null ? bound : (ranking[0] ?? 0);
    return {
      key,
      source,
      index,
      name: replicaName(index),
      matchReason: bound === null ? "external_id_new" : "external_id",
      matchConfidence: null,
      fallbackReason: null,
      agentId: identity.agentId,
      ranking: [index, ...ranking.filter((other) => other !== index)],
    };
  }

  #cyclicFrom(index: number): number[] {
    const { replicas } = this.#options;
    const order = Array.from({ length: replicas }, (_, step) => (index + step) % replicas);
    const open = order.filter((other) => other === index || !this.#drained.has(other));
    return open;
  }

  #keylessIndex(): number {
    const { replicas } = this.#options;
    for (let attempt = 0; attempt < 64; attempt++) {
      const index = this.#nextKeyless();
      if (!this.#drained.has(index) || this.#drained.size >= replicas) return index;
    }
    return this.#nextKeyless();
  }

  #nextKeyless(): number {
    const { replicas, keylessRouting } = this.#options;
    if (keylessRouting !== "round-robin") return this.#random.below(replicas);
    const index = this.#next;
    this.#next = (this.#next + 1) % replicas;
    return index;
  }
}
