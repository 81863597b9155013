import { KEEP_WARM_TRIGGER, pingAfterMs } from "@cloudsigma/taas-core/contracts/keep-warm";
import type { ModelPrices, PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import type { KeepWarmAdvice, KeepWarmGroup } from "./advice-types.ts";

/**
 * The keep-warm advisor, computed in this one place: per agent and model, how long its
 * conversations (calls of one affinity id) sit idle between calls, what the idle gaps past the
 * cache TTL cost (`ttl_expired`), and whether a ping before the TTL runs out pays.
 *
 * A ping re-sends the conversation's last prompt with one token of output, so it costs that
 * prompt at the cache-read price, plus the part the last call wrote at the write price where
 * the provider charges writes (an upper bound), plus one output token. It saves, when the
 * conversation comes back within the lifetime the ping bought, that prompt's price beyond a
 * cache read. Ping i of a gap goes out `i` x `pingAfterMs(ttl)` after the last call (the
 * pinger's rule); it pays when P(return within the lifetime it buys | still idle when it goes
 * out), counted from the agent's own gaps, times the saving exceeds its cost.
 */

/** One call row as the advisor reads it (`read.ts` selects these from the ledger). */
export interface AdvisorCall {
  affinityId: string;
  agentId: string | null;
  provider: string | null;
  model: string | null;
  ts: number;
  latencyMs: number | null;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  trigger: string | null;
  cause: string | null;
  missedTokens: number | null;
  missedCostNano: number | null;
  costNano: number | null;
  costState: string;
  savingNano: number | null;
}

export interface AdvisorInput {
  /** Rows ordered by affinity id, then time. */
  calls: readonly AdvisorCall[];
  ttlMs: (provider: string | null, model: string | null) => number;
  prices: PriceLookup;
}

/** Pings per gap the advisor weighs; more are not advised whatever the history says. */
export const MAX_ADVISED_PINGS = 3;
/** Gaps idle past a ping's time needed before the history decides whether the ping pays. */
export const MIN_GAPS_TO_DECIDE = 3;

const DAY_MS = 86_400_000;
/** Nano-USD per token from USD per million tokens. */
const perToken = (usdPerMillion: number): number => usdPerMillion * 1000;

interface Gap {
  ms: number;
  /** The prompt a ping would re-send: the previous call's whole input. */
  prompt: number;
  written: number;
  /** Pings between the two calls, and what they cost. */
  pings: number;
  pingCostNano: number | null;
  next: AdvisorCall;
}

interface GroupState {
  agent: string | null;
  provider: string | null;
  model: string | null;
  gaps: Gap[];
  /** Pings after a conversation's last call: paid for, nothing saved yet. */
  trailingPings: AdvisorCall[];
  firstTs: number;
  lastTs: number;
}

const groupKey = (c: AdvisorCall) => JSON.stringify([c.agentId, c.provider, c.model]);

function collectGaps(calls: readonly AdvisorCall[]): GroupState[] {
  const groups = new Map<string, GroupState>();
  let previous: AdvisorCall | undefined;
  let pings: AdvisorCall[] = [];
  const closeConversation = () => {
    if (previous && pings.length > 0) groups.get(groupKey(previous))?.trailingPings.push(...pings);
    previous = undefined;
    pings = [];
  };
  for (const call of calls) {
    if (previous && previous.affinityId !== call.affinityId) closeConversation();
    if (call.trigger === KEEP_WARM_TRIGGER) {
      if (previous) pings.push(call);
      continue;
    }
    const key = groupKey(call);
    let group = groups.get(key);
    if (!group) {
      group = {
        agent: call.agentId,
        provider: call.provider,
        model: call.model,
        gaps: [],
        trailingPings: [],
        firstTs: call.ts,
        lastTs: call.ts,
      };
      groups.set(key, group);
    }
    group.firstTs = Math.min(group.firstTs, call.ts);
    group.lastTs = Math.max(group.lastTs, call.ts);
    if (previous && groupKey(previous) === key) {
      const pingCosts = pings.map((p) => (p.costState === "known" ? p.costNano : null));
      group.gaps.push({
        ms: Math.max(0, call.ts - (previous.ts + (previous.latencyMs ?? 0))),
        prompt: previous.input + previous.cacheRead + previous.cacheWrite,
        written: previous.cacheWrite,
        pings: pings.length,
        pingCostNano: pingCosts.some((c) => c === null)
          ? null
          : pingCosts.reduce<number>((sum, c) => sum + (c ?? 0), 0),
        next: call,
      });
    }
    previous = call;
    pings = [];
  }
  closeConversation();
  return [...groups.values()];
}

/** What one ping of `gap` costs and what a warm return saves, or null where a price is unknown. */
function pingEconomics(gap: Pick<Gap, "prompt" | "written">, prices: ModelPrices | undefined) {
  const { input, cacheRead, cacheWrite, output } = prices ?? {};
  const writes = gap.written > 0;
  if (input === undefined || cacheRead === undefined || output === undefined)
    return { costNano: null, savingNano: null };
  if (writes && cacheWrite === undefined) return { costNano: null, savingNano: null };
  const costNano =
    gap.prompt * perToken(cacheRead) +
    (writes ? gap.written * perToken(cacheWrite ?? 0) : 0) +
    perToken(output);
  return { costNano, savingNano: gap.prompt * perToken(input - cacheRead) };
}

const quantile = (sorted: readonly number[], q: number): number | null =>
  sorted.length === 0
    ? null
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null);

/** The keep-warm advice for every agent and model with calls in `input.calls`. */
export function adviseKeepWarm(input: AdvisorInput): KeepWarmAdvice {
  const groups = collectGaps(input.calls).map((g) => adviseGroup(g, input));
  groups.sort((a, b) => (b.ttlExpired.tokens ?? 0) - (a.ttlExpired.tokens ?? 0));
  return { groups };
}

function adviseGroup(group: GroupState, input: AdvisorInput): KeepWarmGroup {
  const ttlMs = input.ttlMs(group.provider, group.model);
  const lifetime = pingAfterMs(ttlMs);
  const prices =
    group.provider && group.model ? input.prices(group.provider, group.model) : undefined;
  const gaps = group.gaps;
  const sorted = gaps.map((g) => g.ms).sort((a, b) => a - b);
  // Idle gaps in lifetimes: <= 1 (warm), <= 2, <= 4, longer.
  const bounds = [1, 2, 4];
  const histogram = [...bounds, null].map((upTo, i) => ({
    upToTtls: upTo,
    gaps: gaps.filter(
      (g) =>
        (i === 0 || g.ms > ttlMs * (bounds[i - 1] ?? 0)) && (upTo === null || g.ms <= ttlMs * upTo),
    ).length,
  }));
  const expired = gaps.filter((g) => g.next.cause === "ttl_expired");
  const unpriced = expired.filter((g) => g.next.missedCostNano === null).length;
  const ttlExpired = {
    calls: expired.length,
    tokens: expired.reduce((sum, g) => sum + (g.next.missedTokens ?? 0), 0),
    costNano:
      unpriced === expired.length && expired.length > 0
        ? null
        : expired.reduce((s, g) => s + (g.next.missedCostNano ?? 0), 0),
    unpricedCalls: unpriced,
  };
  // The break-even, ping by ping: the gaps still idle when ping i goes out, and of them those
  // that come back within the lifetime it buys (after the previous one's has run out).
  let pingsPerGap = 0;
  let basis: KeepWarmGroup["basis"] = "does_not_pay";
  const chances: Array<number | null> = [];
  let meanCost: number | null = null;
  let meanSaving: number | null = null;
  for (let i = 1; i <= MAX_ADVISED_PINGS; i++) {
    const sentAt = i * lifetime;
    const idle = gaps.filter((g) => g.ms > sentAt);
    if (idle.length < MIN_GAPS_TO_DECIDE) {
      chances.push(null);
      if (i === 1) basis = "no_history";
      break;
    }
    const saved = idle.filter((g) => g.ms > (i - 1) * lifetime + ttlMs && g.ms <= sentAt + ttlMs);
    const chance = saved.length / idle.length;
    chances.push(chance);
    const economics = idle.map((g) => pingEconomics(g, prices));
    if (economics.some((e) => e.costNano === null || e.savingNano === null)) {
      if (i === 1) basis = "unknown_price";
      break;
    }
    const cost = economics.reduce((s, e) => s + (e.costNano ?? 0), 0) / idle.length;
    const saving = economics.reduce((s, e) => s + (e.savingNano ?? 0), 0) / idle.length;
    if (i === 1) {
      meanCost = cost;
      meanSaving = saving;
    }
    if (chance * saving <= cost) break;
    pingsPerGap = i;
    basis = "pays";
  }
  const spanDays = Math.max(1, (group.lastTs - group.firstTs) / DAY_MS);
  const replay = basis === "pays" ? replayNet(gaps, pingsPerGap, ttlMs, lifetime, prices) : 0;
  return {
    agent: group.agent,
    provider: group.provider,
    model: group.model,
    ttlSeconds: ttlMs / 1000,
    pingAfterSeconds: lifetime / 1000,
    gaps: gaps.length,
    medianGapSeconds: msToSeconds(quantile(sorted, 0.5)),
    p90GapSeconds: msToSeconds(quantile(sorted, 0.9)),
    histogram,
    ttlExpired,
    pingCostNano: meanCost,
    warmSavingNano: meanSaving,
    returnChance: chances,
    basis,
    pingsPerGap,
    expectedNetPerDayNano: replay === null ? null : replay / spanDays,
    pings: pingsDone(gaps, group.trailingPings, ttlMs),
  };
}

const msToSeconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

/** What `pings` pings per gap would have netted over this history (null: a price unknown). */
function replayNet(
  gaps: readonly Gap[],
  pings: number,
  ttlMs: number,
  lifetime: number,
  prices: ModelPrices | undefined,
): number | null {
  let net = 0;
  for (const gap of gaps) {
    const sent = Math.min(pings, Math.ceil(gap.ms / lifetime) - 1);
    if (sent <= 0) continue;
    const { costNano, savingNano } = pingEconomics(gap, prices);
    if (costNano === null || savingNano === null) return null;
    net -= sent * costNano;
    if (gap.ms > ttlMs && gap.ms <= sent * lifetime + ttlMs) net += savingNano;
  }
  return net;
}

/** The pings the ledger holds (trigger `keepwarm`): their cost and the warm returns after them. */
function pingsDone(
  gaps: readonly Gap[],
  trailing: readonly AdvisorCall[],
  ttlMs: number,
): KeepWarmGroup["pings"] {
  const pinged = gaps.filter((g) => g.pings > 0);
  const trailingCosts = trailing.map((p) => (p.costState === "known" ? p.costNano : null));
  const count = pinged.reduce((s, g) => s + g.pings, 0) + trailing.length;
  const unpricedGaps =
    pinged.filter((g) => g.pingCostNano === null).length +
    trailingCosts.filter((c) => c === null).length;
  const costNano =
    pinged.reduce((s, g) => s + (g.pingCostNano ?? 0), 0) +
    trailingCosts.reduce<number>((s, c) => s + (c ?? 0), 0);
  // A return after a gap longer than the TTL that still read the cache: the pings kept it.
  const warm = pinged.filter((g) => g.ms > ttlMs && g.next.cause !== "ttl_expired");
  const unsaved = warm.filter((g) => g.next.savingNano === null).length;
  const savedNano = warm.reduce((s, g) => s + (g.next.savingNano ?? 0), 0);
  const known = unpricedGaps === 0 && unsaved === 0;
  return {
    count,
    costNano: count > 0 && unpricedGaps === pinged.length + trailing.length ? null : costNano,
    warmReturns: warm.length,
    savedNano: unsaved === warm.length && warm.length > 0 ? null : savedNano,
    netNano: known ? savedNano - costNano : null,
    unpriced: unpricedGaps + unsaved,
  };
}
