import { usdText } from "./figures.ts";

/**
 * Which agents' cost an autorouter's pricier route drives. The ledger does not store whether a
 * call asked for reasoning, only the model it asked for (`cloudsigma/auto`) and the one TaaS
 * routed it to; so this is what the ledger can honestly say: an agent whose autorouted calls
 * spent most of their cost on a route that costs well over the cheapest route the same
 * autorouter took in the range (cost per token as billed: cost / all tokens, of fully priced
 * calls). On TaaS that is the reasoning route when calls carry `reasoning_effort` or `thinking`,
 * which a session's thinking level keeps sending after the turn that set it. When every call
 * of the range went to the same pricey route there is nothing cheaper to compare with, and no
 * line. No Node or DOM dependency (the read is route-sums.ts): the page prints the same line.
 */

/** A route at least this many times the cheapest route's cost per token is "pricier". */
export const PRICIER_RATIO = 1.5;
/** ...and holds at least this share of the agent's autorouted cost, so it drives that cost. */
export const DRIVING_SHARE = 0.5;

/** One agent's autorouted calls to one routed model (raw sums from the ledger). */
export interface RouteSums {
  agent: string;
  /** What the calls asked for, `provider/model` (the autorouter). */
  requested: string;
  routed: string;
  calls: number;
  /** Known and partial costs (nano-USD): the share of the agent's cost. */
  costNano: number;
  /** Cost and tokens of the fully priced calls only: the cost per token. */
  knownCostNano: number;
  knownTokens: number;
}

export interface PricierRoute {
  /** null: calls the host reported without an agent. */
  agent: string | null;
  requested: string;
  routed: string;
  calls: number;
  /** The agent's calls to `requested`, whatever route they took. */
  ofCalls: number;
  costUsd: number;
  /** Of the agent's cost on `requested`, 0..1. */
  costShare: number;
  /** Its cost per token over the cheapest route's. */
  rateRatio: number;
  cheapest: string;
}

const rateOf = (r: RouteSums): number | null =>
  r.knownTokens > 0 ? r.knownCostNano / r.knownTokens : null;

/** The routes that drive an agent's cost at well over the cheapest route's cost per token. */
export function pricierRoutes(sums: readonly RouteSums[]): PricierRoute[] {
  const cheapest = new Map<string, { routed: string; rate: number }>();
  for (const r of sums) {
    const rate = rateOf(r);
    const best = cheapest.get(r.requested);
    if (rate !== null && rate > 0 && (!best || rate < best.rate))
      cheapest.set(r.requested, { routed: r.routed, rate });
  }
  const found: PricierRoute[] = [];
  for (const r of sums) {
    const base = cheapest.get(r.requested);
    const rate = rateOf(r);
    if (!base || rate === null || rate < PRICIER_RATIO * base.rate) continue;
    const mine = sums.filter((s) => s.agent === r.agent && s.requested === r.requested);
    const agentCost = mine.reduce((sum, s) => sum + s.costNano, 0);
    if (agentCost <= 0 || r.costNano / agentCost < DRIVING_SHARE) continue;
    found.push({
      agent: r.agent || null,
      requested: r.requested,
      routed: r.routed,
      calls: r.calls,
      ofCalls: mine.reduce((sum, s) => sum + s.calls, 0),
      costUsd: r.costNano / 1e9,
      costShare: r.costNano / agentCost,
      rateRatio: rate / base.rate,
      cheapest: base.routed,
    });
  }
  return found.sort((a, b) => b.costUsd - a.costUsd);
}

/** The line every view prints for a pricier route. */
export function pricierRouteText(r: PricierRoute): string {
  return (
    `agent ${r.agent ?? "(unknown)"}: ${r.calls} of ${r.ofCalls} call(s) to ${r.requested} went to ${r.routed}, ` +
    `${Math.round(r.costShare * 100)} % of their cost ($${usdText(r.costUsd)}), at ${r.rateRatio.toFixed(1)}x the cost per token of ${r.cheapest} ` +
    "(the cheapest route it took in this range). The autorouter sends a call that asks for reasoning (reasoning_effort, thinking) to its reasoning route: " +
    "a thinking level set in a session stays on its later turns (/think default clears it), and thinkingDefault " +
    "(agents.defaults.thinkingDefault, agents.entries.<id>.thinkingDefault) sets it for every turn."
  );
}
