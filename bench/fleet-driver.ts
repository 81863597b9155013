/**
 * The bench's arrival process, from one process: every agent runs its sessions in parallel,
 * each session its turns in order with a think time before each, a share of those gaps longer
 * than the cache TTL; at most `concurrency` turns are in flight at once. The caller sends each
 * turn (the cache bench: one HTTP request to the gateway's `/v1/chat/completions`, no CLI process
 * per turn), so a 2-core machine can drive thousands of turns. A failed turn is counted and reported, never
 * hidden or retried into a success.
 */
import { SeededRandom } from "@cloudsigma/taas-emulator";

export interface Arrivals {
  agents: number;
  sessions: number;
  turns: number;
  concurrency: number;
  /** Mean think time before a turn (exponential), milliseconds. */
  thinkMs: number;
  /** Share of the gaps between turns that last past the cache TTL (0-1). */
  idleShare: number;
  /** An idle gap's length: a little past the TTL. */
  idleMs: number;
  /** Seed of the think times and idle gaps, so every arm replays the same schedule. */
  seed: number;
  /** Sessions start at a uniform moment in this window (0: all at once, after a think time). */
  startSpreadMs?: number;
}

export interface TurnRef {
  agent: string;
  /** The agent's index (0-based): scripted events key on it. */
  agentIndex: number;
  session: number;
  turn: number;
}

export interface DriveResult {
  ok: number;
  failed: number;
  /** The first few failures, each `agent session turn: why`. */
  failures: string[];
  wallMs: number;
}

const FAILURES_KEPT = 10;

/** One session's gaps before each of its turns, drawn up front so arms differ in nothing else. */
function schedule(arrivals: Arrivals): number[][][] {
  // The emulator's own seeded generator, so the schedule is the same in every arm.
  const generator = new SeededRandom(arrivals.seed);
  const random = () => generator.next();
  return Array.from({ length: arrivals.agents }, () =>
    Array.from({ length: arrivals.sessions }, () =>
      Array.from({ length: arrivals.turns }, (_, turn) => {
        if (turn > 0 && random() < arrivals.idleShare) return arrivals.idleMs;
        // The first turn's gap staggers the sessions' starts.
        const start = turn === 0 ? random() * (arrivals.startSpreadMs ?? 0) : 0;
        return Math.round(start - Math.log(1 - random()) * arrivals.thinkMs);
      }),
    ),
  );
}

/** Runs every turn through `send`; `progress` is called after each finished turn. */
export async function drive(
  arrivals: Arrivals,
  agentName: (index: number) => string,
  send: (turn: TurnRef) => Promise<void>,
  progress: (done: number, total: number, failed: number) => void,
): Promise<DriveResult> {
  const gaps = schedule(arrivals);
  const total = arrivals.agents * arrivals.sessions * arrivals.turns;
  const result: DriveResult = { ok: 0, failed: 0, failures: [], wallMs: 0 };
  const start = Date.now();
  let free = arrivals.concurrency;
  const waiting: Array<() => void> = [];
  const acquire = async () => {
    if (free > 0) {
      free -= 1;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  const session = async (agentIndex: number, sessionIndex: number) => {
    const agent = agentName(agentIndex);
    for (let turn = 0; turn < arrivals.turns; turn++) {
      const gap = gaps[agentIndex]?.[sessionIndex]?.[turn] ?? 0;
      if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
      await acquire();
      const ref = { agent, agentIndex, session: sessionIndex + 1, turn: turn + 1 };
      try {
        await send(ref);
        result.ok += 1;
      } catch (error) {
        result.failed += 1;
        if (result.failures.length < FAILURES_KEPT) {
          const why = error instanceof Error ? error.message : String(error);
          result.failures.push(`${agent} s${ref.session} t${ref.turn}: ${why.slice(0, 200)}`);
        }
      } finally {
        release();
      }
      progress(result.ok + result.failed, total, result.failed);
    }
  };
  const sessions: Array<Promise<void>> = [];
  for (let a = 0; a < arrivals.agents; a++) {
    for (let s = 0; s < arrivals.sessions; s++) sessions.push(session(a, s));
  }
  await Promise.all(sessions);
  result.wallMs = Date.now() - start;
  return result;
}

/** A progress line rewritten in place (a plain line per 10% when stdout is not a terminal). */
export function progressLine(label: string): (done: number, total: number, failed: number) => void {
  const start = Date.now();
  let lastTenth = -1;
  return (done, total, failed) => {
    const seconds = (Date.now() - start) / 1000;
    const line = `  ${label}: ${done}/${total} turns, ${failed} failed, ${(done / Math.max(seconds, 0.001)).toFixed(1)} turns/s, ${seconds.toFixed(0)} s`;
    if (process.stdout.isTTY) {
      process.stdout.write(`\r${line}${done === total ? "\n" : ""}`);
      return;
    }
    const tenth = Math.floor((10 * done) / total);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      console.log(line);
    }
  };
}
