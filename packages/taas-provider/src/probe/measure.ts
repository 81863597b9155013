import { randomUUID } from "node:crypto";
import type { ProbeAnswer, ProbeClient, ProbeSend } from "./client.ts";
import { measureLifetime } from "./lifetime.ts";
import type { ModelProbe } from "./result.ts";
import { randomWords } from "./words.ts";

/** The probe's clock: tests drive it (and the emulator's) by hand; a run sleeps for real. */
export interface ProbeClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface MeasureOptions {
  /** Words of the long stable prefix: past any plateau the operator expects. */
  prefixWords: number;
  /**
   * Most requests in any minute (TaaS spreads a key sending faster over other machines, and a
   * read there misses); 0: no limit.
   */
  ratePerMinute: number;
  /** How long after a first send the probe waits, at most, for the prefix to become readable. */
  readyBoundMs: number;
  /** Resolution of the ready delay and first wait of its search. */
  readyStepMs: number;
  /** Reads per identity case; all must come from cache for an id to count as keeping it. */
  identityReads: number;
  /** Idle-lifetime bisection, only when the operator asked for it (slow). */
  lifetime?: { boundMs: number; steps: number };
}

export const DEFAULT_MEASURE: MeasureOptions = {
  prefixWords: 6_144,
  ratePerMinute: 12,
  readyBoundMs: 32_000,
  readyStepMs: 250,
  identityReads: 3,
};

export interface MeasureDeps {
  send: ProbeClient;
  clock: ProbeClock;
  progress: (line: string) => void;
  /** The agent id the probe names itself with. */
  agentId: string;
  /** The run's rate (`ratePacer`), shared by its models; one of its own otherwise. */
  pace?: () => Promise<void>;
  random?: (n: number) => number;
}

type Sent = ProbeAnswer & { at: number };

/**
 * Waits, before each request, until one more keeps the last minute within `perMinute` (0: no
 * limit). One per run, shared by its models: TaaS counts what a machine serves, whichever model.
 */
export function ratePacer(perMinute: number, clock: ProbeClock): () => Promise<void> {
  const sent: number[] = [];
  return async () => {
    if (perMinute > 0 && sent.length >= perMinute) {
      const oldest = sent[sent.length - perMinute] ?? 0;
      const wait = oldest + 60_000 - clock.now();
      if (wait > 0) await clock.sleep(wait);
      sent.splice(0, sent.length - perMinute + 1);
    }
    sent.push(clock.now());
  };
}

/** A conversation of one run: fresh ids and its own fresh words. */
interface Conversation {
  words: string[];
  sessionId: string;
  agentId?: string;
}

/**
 * Measures how one model's cache behaves at the endpoint, from what the answers report:
 * 1. one long fresh prefix, sent, then read at once and (if nothing came back) again after
 *    growing waits: cached at all, and readable at once or later;
 * 2. shorter cuts of that same prefix, read by bisection: the shortest that reads anything is
 *    the minimum (and tells the probe how many tokens frame its words);
 * 3. one cut a token short of the longest read: the step below it; the longest read itself,
 *    when the prefix is longer by a step or more, is the plateau;
 * 4. the ready delay, by bisection over fresh small prefixes, when reads were not at once;
 * 5. TaaS's identity rule: one conversation's id with an agent id, another's without, each
 *    sent once and read back a few times (a fresh session per request scatters the reads);
 * 6. with `lifetime`, the idle time after which a fresh prefix is gone (lifetime.ts).
 */
export async function measureModel(
  model: string,
  options: MeasureOptions,
  deps: MeasureDeps,
): Promise<ModelProbe> {
  const { clock } = deps;
  const headers = new Set<string>();
  const pace = deps.pace ?? ratePacer(options.ratePerMinute, clock);
  /** Sends one request, within the rate; answers with the time it left. */
  const send = async (conversation: Conversation, count?: number): Promise<Sent> => {
    await pace();
    const at = clock.now();
    const request: ProbeSend = { model, ...conversation, count };
    const answer = await deps.send(request);
    for (const name of answer.headers) headers.add(name);
    return { ...answer, at };
  };
  /** Sends a fresh prefix, waits `idleMs`, reads it again: the read, and how long after it was. */
  const sendThenRead = async (conversation: Conversation, idleMs: number) => {
    const first = await send(conversation);
    await sleepUntil(first.at + idleMs);
    const read = await send(conversation);
    return { read, afterMs: read.at - first.at };
  };
  const sleepUntil = async (at: number) => {
    const wait = at - clock.now();
    if (wait > 0) await clock.sleep(wait);
  };
  const fresh = (words: number, withAgent = true): Conversation => ({
    words: randomWords(words, deps.random),
    sessionId: `probe-${randomUUID()}`,
    ...(withAgent ? { agentId: deps.agentId } : {}),
  });
  const say = (line: string) => deps.progress(`${model}: ${line}`);

  // 1. Cached at all, and when readable.
  const long = fresh(options.prefixWords);
  say(`sending a fresh ${options.prefixWords}-word prefix`);
  const warm = await send(long);
  let full = await send(long);
  // Read back as soon as the first send was answered: readable at once.
  const readAtOnce = full.cachedTokens > 0;
  let waited = full.at - warm.at;
  let notYet = 0;
  for (let wait = options.readyStepMs * 4; full.cachedTokens === 0; wait *= 2) {
    notYet = Math.max(notYet, waited);
    if (wait > options.readyBoundMs) {
      say(`nothing read back within ${options.readyBoundMs / 1000} s`);
      return notCached(model, warm, [...headers], notYet);
    }
    if (wait <= notYet) continue;
    say(`nothing read back yet; reading again ${wait / 1000} s after the first send`);
    await sleepUntil(warm.at + wait);
    full = await send(long);
    waited = full.at - warm.at;
  }

  // 2. The minimum: the shortest cut of the cached prefix that reads anything.
  let lo = 0;
  let hi = options.prefixWords;
  let minTokens = full.cachedTokens;
  let firstCut: Sent | undefined;
  say("bisecting the minimum cacheable length");
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const read = await send(long, mid);
    firstCut ??= { ...read, at: mid };
    if (read.cachedTokens > 0) {
      hi = mid;
      minTokens = read.cachedTokens;
    } else lo = mid;
  }
  // Tokens per word, from what two lengths cost (1 for the o200k tokenizers the words were
  // chosen for; another tokenizer may split them), and the tokens before the first word:
  // the minimum is reached at `hi` words.
  const perWord = firstCut
    ? (full.promptTokens - firstCut.promptTokens) / (options.prefixWords - firstCut.at) || 1
    : 1;
  const frame = minTokens - perWord * hi;
  const wordsFor = (tokens: number) => Math.floor((tokens - frame) / perWord);

  // 3. The step below the longest read, and the plateau.
  let stepTokens: number | null = null;
  if (full.cachedTokens > minTokens) {
    const below = await send(long, Math.min(options.prefixWords, wordsFor(full.cachedTokens - 1)));
    if (below.cachedTokens > 0 && below.cachedTokens < full.cachedTokens)
      stepTokens = full.cachedTokens - below.cachedTokens;
  }
  const sharedTokens = Math.round(frame + perWord * options.prefixWords);
  const plateauTokens =
    stepTokens !== null && sharedTokens - full.cachedTokens >= stepTokens
      ? full.cachedTokens
      : null;

  // 4. The ready delay, to the resolution, over fresh prefixes just past the minimum.
  const smallWords = hi + 1;
  let readyOverMs = 0;
  let readyAtMostMs = 0;
  if (!readAtOnce) {
    readyOverMs = notYet;
    readyAtMostMs = waited;
    say("bisecting the ready delay");
    for (
      let trials = 0;
      readyAtMostMs - readyOverMs > options.readyStepMs && trials < 12;
      trials++
    ) {
      const wait = Math.floor((readyOverMs + readyAtMostMs) / 2);
      const { read, afterMs } = await sendThenRead(fresh(smallWords), wait);
      if (read.cachedTokens > 0) readyAtMostMs = Math.min(readyAtMostMs, afterMs);
      else readyOverMs = Math.max(readyOverMs, afterMs);
    }
  }

  // 5. The identity rule.
  const identityCase = async (withAgent: boolean) => {
    const conversation = fresh(smallWords, withAgent);
    const first = await send(conversation);
    await sleepUntil(first.at + readyAtMostMs);
    let hits = 0;
    for (let i = 0; i < options.identityReads; i++) {
      if ((await send(conversation)).cachedTokens > 0) hits += 1;
    }
    return { hits, reads: options.identityReads };
  };
  say("checking whether an id keeps a conversation on its cache, with and without an agent id");
  const withAgent = await identityCase(true);
  const withoutAgent = await identityCase(false);

  const lifetime = options.lifetime
    ? await measureLifetime(options.lifetime, readyAtMostMs, {
        trial: async (idleMs) => {
          const { read, afterMs } = await sendThenRead(fresh(smallWords), idleMs);
          return { alive: read.cachedTokens > 0, afterMs };
        },
        say,
      })
    : undefined;

  return {
    model,
    cached: true,
    minTokens,
    stepTokens,
    plateauTokens,
    longestPrefixTokens: sharedTokens,
    readyDelay: { overMs: readyOverMs, atMostMs: readyAtMostMs },
    reportsWrites: warm.writeTokens !== undefined,
    identity: { withAgent, withoutAgent },
    ...(lifetime ? { lifetime } : {}),
    headers: [...headers].sort(),
  };
}

function notCached(
  model: string,
  warm: ProbeAnswer,
  headers: string[],
  waitedMs: number,
): ModelProbe {
  return {
    model,
    cached: false,
    minTokens: null,
    stepTokens: null,
    plateauTokens: null,
    longestPrefixTokens: warm.promptTokens,
    readyDelay: { overMs: waitedMs, atMostMs: null },
    reportsWrites: warm.writeTokens !== undefined,
    identity: null,
    headers: headers.sort(),
  };
}
