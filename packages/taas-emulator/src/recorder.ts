import type { EmulatorStats, RecordedRequest, ReplicaStats } from "./types.ts";

export type RecordDraft = Omit<RecordedRequest, "seq">;

/** A request's record before anything about it is known beyond its arrival. */
export function emptyDraft(
  arrival: Pick<RecordDraft, "time" | "method" | "path" | "headers">,
): RecordDraft {
  return {
    ...arrival,
    status: 0,
    body: null,
    model: null,
    replica: null,
    routingKey: null,
    routingSource: null,
    promptTokens: null,
    cachedTokens: null,
    completionTokens: null,
    idealCachedTokens: null,
    cacheCause: null,
    cacheCauseAt: null,
    matchReason: null,
    matchConfidence: null,
    fallbackReason: null,
    agentId: null,
    spilledFrom: null,
    waitedMs: 0,
    autorouterAlgorithm: null,
    stream: false,
    requestId: "",
    traceId: "",
  };
}

/** Header snapshot with lower-cased names and the bearer secret blanked out. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = name.toLowerCase() === "authorization" ? "Bearer <redacted>" : value;
  });
  return out;
}

/** Bounded ring buffer of requests, oldest first; the oldest record is dropped when full. */
export class Recorder {
  readonly #limit: number;
  #records: RecordedRequest[] = [];
  #seq = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(draft: RecordDraft): void {
    this.#seq += 1;
    if (this.#limit === 0) return;
    this.#records.push({ seq: this.#seq, ...draft });
    if (this.#records.length > this.#limit) this.#records.shift();
  }

  list(): RecordedRequest[] {
    return this.#records.map((record) => structuredClone(record));
  }

  clear(): void {
    this.#records = [];
    this.#seq = 0;
  }
}

export interface ServedRequest {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
}

/** Per-replica counters of chat completions actually served. */
export class ReplicaStatsTracker {
  #stats: Omit<ReplicaStats, "cacheEntries">[];
  readonly #names: readonly string[];

  constructor(names: readonly string[]) {
    this.#names = names;
    this.#stats = this.#empty();
  }

  add(index: number, served: ServedRequest): void {
    const entry = this.#stats[index];
    if (entry === undefined) return;
    entry.requests += 1;
    entry.promptTokens += served.promptTokens;
    entry.cachedTokens += served.cachedTokens;
    entry.completionTokens += served.completionTokens;
  }

  snapshot(cacheEntries: readonly number[]): EmulatorStats {
    const replicas = this.#stats.map((entry, index) => ({
      ...entry,
      cacheEntries: cacheEntries[index] ?? 0,
    }));
    const totals = {
      requests: 0,
      promptTokens: 0,
      cachedTokens: 0,
      completionTokens: 0,
      cacheEntries: 0,
    };
    for (const replica of replicas) {
      totals.requests += replica.requests;
      totals.promptTokens += replica.promptTokens;
      totals.cachedTokens += replica.cachedTokens;
      totals.completionTokens += replica.completionTokens;
      totals.cacheEntries += replica.cacheEntries;
    }
    return { replicas, totals };
  }

  clear(): void {
    this.#stats = this.#empty();
  }

  #empty(): Omit<ReplicaStats, "cacheEntries">[] {
    return this.#names.map((name) => ({
      name,
      requests: 0,
      promptTokens: 0,
      cachedTokens: 0,
      completionTokens: 0,
    }));
  }
}
