import { BoundedMap } from "@cloudsigma/taas-core/bounded-map";

/**
 * Bounded-load affinity (`affinityScope: "bounded"`): the shard of an agent's base id that a new
 * conversation is sent on. One id pins one TaaS slot, and an OpenAI-family prefix+key overflows
 * to machines without the cache past ~15 requests a minute, so a busy agent's conversations
 * spread over a few keyed ids instead of queueing on one; at low load every conversation is on
 * shard 0, the base id itself, exactly as the workspace scope. Servers do the same with
 * bounded-load consistent hashing (Mirrokni et al. 2016; SGLang, Envoy); the client can, since it
 * chooses the keys.
 *
 * Rules: a new conversation joins shard 0 while its load over the sliding minute is under the
 * bound, else the least-loaded live shard under it, else a new shard (the lowest free index
 * below `maxShards`); when every shard is full it joins the least-loaded one (the result says
 * `saturated`). A conversation never moves while its shard lives; a shard idle for `idleMs`
 * retires with its conversations (its cache is cold by then, so moving costs nothing).
 * Memory is bounded: `maxBases` base ids, `maxConversations` conversations per base, and 60
 * one-second counters per shard.
 */

export interface BoundedLoadSettings {
  requestsPerMinute: number;
  maxShards: number;
  idleMs: number;
  maxBases: number;
  maxConversations: number;
}

export interface ShardChoice {
  shard: number;
  /** True when every shard was at the bound and the conversation took the least-loaded one. */
  saturated: boolean;
}

const WINDOW_SECONDS = 60;

/** Requests of one shard over the last minute, in one-second buckets. */
class MinuteLoad {
  readonly #counts = new Array<number>(WINDOW_SECONDS).fill(0);
  readonly #seconds = new Array<number>(WINDOW_SECONDS).fill(-1);
  lastUsedMs: number;

  constructor(nowMs: number) {
    this.lastUsedMs = nowMs;
  }

  add(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % WINDOW_SECONDS;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#counts[slot] = 0;
    }
    this.#counts[slot] = (this.#counts[slot] ?? 0) + 1;
    this.lastUsedMs = nowMs;
  }

  total(nowMs: number): number {
    const oldest = Math.floor(nowMs / 1000) - WINDOW_SECONDS;
    let sum = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      if ((this.#seconds[i] ?? -1) > oldest) sum += this.#counts[i] ?? 0;
    }
    return sum;
  }
}

interface BaseState {
  shards: Map<number, MinuteLoad>;
  conversations: BoundedMap<string, number>;
}

export class ShardBalancer {
  readonly #settings: BoundedLoadSettings;
  readonly #now: () => number;
  readonly #bases: BoundedMap<string, BaseState>;

  constructor(settings: BoundedLoadSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
    this.#bases = new BoundedMap(settings.maxBases);
  }

  /**
   * The shard for one request of `conversation` under `baseId`, counted in that shard's load.
   * A request without a conversation (a standalone completion) goes on shard 0.
   */
  route(baseId: string, conversation: string | undefined): ShardChoice {
    const now = this.#now();
    const base = this.#base(baseId, now);
    let choice: ShardChoice = { shard: 0, saturated: false };
    if (conversation !== undefined) {
      const assigned = base.conversations.get(conversation);
      if (assigned !== undefined && base.shards.has(assigned)) {
        choice = { shard: assigned, saturated: false };
      } else {
        choice = this.#place(base, now);
        base.conversations.set(conversation, choice.shard);
      }
    }
    const load = base.shards.get(choice.shard) ?? new MinuteLoad(now);
    load.add(now);
    base.shards.set(choice.shard, load);
    return choice;
  }

  #base(baseId: string, now: number): BaseState {
    let base = this.#bases.get(baseId);
    if (!base) {
      base = {
        shards: new Map(),
        conversations: new BoundedMap(this.#settings.maxConversations),
      };
      this.#bases.set(baseId, base);
    }
    // Idle shards retire, and their conversations with them.
    for (const [index, load] of base.shards) {
      if (now - load.lastUsedMs >= this.#settings.idleMs) base.shards.delete(index);
    }
    return base;
  }

  #place(base: BaseState, now: number): ShardChoice {
    const bound = this.#settings.requestsPerMinute;
    const loadOf = (index: number) => base.shards.get(index)?.total(now) ?? 0;
    if (loadOf(0) < bound) return { shard: 0, saturated: false };
    let least: { shard: number; load: number } | undefined;
    for (const index of base.shards.keys()) {
      const load = loadOf(index);
      if (!least || load < least.load || (load === least.load && index < least.shard)) {
        least = { shard: index, load };
      }
    }
    if (least && least.load < bound) return { shard: least.shard, saturated: false };
    for (let index = 1; index < this.#settings.maxShards; index++) {
      if (!base.shards.has(index)) return { shard: index, saturated: false };
    }
    return { shard: least?.shard ?? 0, saturated: true };
  }
}
