/**
 * The host's transport turn id is a fresh UUID per HTTP call and its attempt is always 1, so
 * both are derived here from the per-call request id `<runId>:model:<n>`: the run id is stable
 * for every model call of one agent turn, and `<n>` restarts at 1 for each runner attempt, so a
 * sequence number that does not grow means the turn is being retried.
 */
export interface TurnInfo {
  turnId?: string;
  attempt: number;
  callId?: string;
}

const REQUEST_ID = /^(.+):model:(\d+)$/;

export class TurnTracker {
  readonly #runs = new Map<string, { lastSeq: number; attempt: number }>();
  readonly #maxRuns: number;

  constructor(maxRuns = 2048) {
    this.#maxRuns = maxRuns;
  }

  observe(requestId: string | undefined): TurnInfo {
    const match = requestId ? REQUEST_ID.exec(requestId) : null;
    if (!match?.[1] || !match[2])
      return { attempt: 1, ...(requestId ? { callId: requestId } : {}) };
    const runId = match[1];
    const seq = Number(match[2]);
    const state = this.#runs.get(runId);
    let attempt = 1;
    if (state) {
      attempt = seq <= state.lastSeq ? state.attempt + 1 : state.attempt;
      this.#runs.delete(runId);
    }
    // Re-inserting keeps Map order = recency, so the oldest run is the first key to drop.
    this.#runs.set(runId, { lastSeq: seq, attempt });
    if (this.#runs.size > this.#maxRuns) {
      const oldest = this.#runs.keys().next().value;
      if (oldest !== undefined) this.#runs.delete(oldest);
    }
    return { turnId: runId, attempt, callId: requestId };
  }

  get size(): number {
    return this.#runs.size;
  }
}
