/** The idle lifetime as a bracket: a prefix idle `aliveMs` was still read, idle `goneMs` was not. */
export type LifetimeProbe =
  | { aliveMs: number; goneMs: number }
  /** Still read after the operator's whole bound: the lifetime is longer. */
  | { aliveMs: number; goneMs: null };

export interface LifetimeDeps {
  /**
   * Sends a fresh prefix, waits `idleMs`, reads it again: whether the read came from cache,
   * and how long after the first send it was actually read.
   */
  trial: (idleMs: number) => Promise<{ alive: boolean; afterMs: number }>;
  say: (line: string) => void;
}

/**
 * The idle time after which a cached prefix is gone, by bisection between the ready delay (a
 * prefix is read then) and the operator's bound: first one trial at the bound, then `steps`
 * halvings, so the answer is within bound / 2^steps. Each trial needs a fresh prefix, since a
 * read refreshes what it reads; the trials run one after another, so the whole search waits up
 * to about twice the bound. Progress is said before each wait.
 */
export async function measureLifetime(
  bounds: { boundMs: number; steps: number },
  readyMs: number,
  deps: LifetimeDeps,
): Promise<LifetimeProbe> {
  const total = bounds.steps + 1;
  let trial = 1;
  const at = async (idleMs: number) => {
    deps.say(
      `lifetime trial ${trial}/${total}: idle ${seconds(idleMs)} (slow: waits the whole time)`,
    );
    trial += 1;
    const result = await deps.trial(idleMs);
    deps.say(`  ${result.alive ? "still cached" : "gone"} after ${seconds(result.afterMs)}`);
    return result;
  };
  let aliveMs = readyMs;
  const first = await at(bounds.boundMs);
  if (first.alive) return { aliveMs: first.afterMs, goneMs: null };
  let goneMs = first.afterMs;
  for (let step = 0; step < bounds.steps; step++) {
    const mid = Math.round((aliveMs + goneMs) / 2);
    if (mid <= aliveMs || mid >= goneMs) break;
    const result = await at(mid);
    if (result.alive) aliveMs = Math.max(aliveMs, result.afterMs);
    else goneMs = Math.min(goneMs, result.afterMs);
  }
  return { aliveMs, goneMs };
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
