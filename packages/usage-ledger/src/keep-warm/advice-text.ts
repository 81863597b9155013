import { tokensText, usdText } from "../report/figures.ts";
import type { KeepWarmGroup } from "./advice-types.ts";

/**
 * The keep-warm advice in words, written once: `openclaw usage-ledger advise`, the "Keep warm"
 * card on the Token cache page and the line under `ttl_expired` print these. No Node or DOM
 * dependency (the page bundles it).
 */

const NANO = 1e9;

/** Nano-USD as USD text; `?` when unknown, `~` when some of it was unpriced (a lower bound). */
export function nanoText(nano: number | null, unpriced = 0): string {
  if (nano === null) return "?";
  const sign = nano < 0 ? "-" : "";
  return `${sign}$${usdText(Math.abs(nano) / NANO)}${unpriced > 0 ? "~" : ""}`;
}

export const groupLabel = (g: Pick<KeepWarmGroup, "agent" | "provider" | "model">): string =>
  `${g.agent ?? "(no agent)"} ${g.provider ?? "?"}/${g.model ?? "?"}`;

const seconds = (value: number | null): string => (value === null ? "-" : `${value}s`);
const percent = (value: number | null | undefined): string =>
  value === null || value === undefined ? "?" : `${Math.floor(value * 100)}%`;

/** The gap distribution: median, p90 and counts by length in TTLs. */
export function gapsText(g: KeepWarmGroup): string {
  const buckets = g.histogram
    .map((b, i) => {
      const from = i === 0 ? 0 : (g.histogram[i - 1]?.upToTtls ?? 0);
      return b.upToTtls === null
        ? `>${from}xTTL ${b.gaps}`
        : `${from === 0 ? "" : `${from}-`}${b.upToTtls}xTTL ${b.gaps}`;
    })
    .join(", ");
  return `${g.gaps} idle gaps (median ${seconds(g.medianGapSeconds)}, p90 ${seconds(g.p90GapSeconds)}; ${buckets})`;
}

export function lossText(g: KeepWarmGroup): string {
  const t = g.ttlExpired;
  return `ttl_expired: ${t.calls} calls, ${tokensText(t.tokens)} tokens, ${nanoText(t.costNano, t.unpricedCalls)} missed`;
}

/** What to set, or why nothing: the verdict in one sentence. */
export function verdictText(g: KeepWarmGroup): string {
  const chance = percent(g.returnChance[0]);
  switch (g.basis) {
    case "pays":
      return `a ping pays (returns within the next lifetime ${chance} x saving ${nanoText(g.warmSavingNano)} > ping ${nanoText(g.pingCostNano)}): expected net ${nanoText(g.expectedNetPerDayNano)}/day; set the token-cache optimizer's keepWarm { enabled: true, ttlSeconds: ${g.ttlSeconds}, maxPingsPerGap: ${g.pingsPerGap} } (it pings after ${g.pingAfterSeconds}s idle), or a heartbeat every ${Math.floor(g.pingAfterSeconds)}s at the cost of a full turn`;
    case "does_not_pay":
      return `no ping pays (returns within the next lifetime ${chance} x saving ${nanoText(g.warmSavingNano)} <= ping ${nanoText(g.pingCostNano)}): leave keepWarm off for this agent`;
    case "no_history":
      return "too few idle gaps past the TTL to decide yet";
    case "unknown_price":
      return "a price the break-even needs (input, cache read, output, or cache write where charged) is unknown: set the model's cost in the config";
  }
}

export function pingsText(g: KeepWarmGroup): string | null {
  const p = g.pings;
  if (p.count === 0) return null;
  return `keepwarm pings: ${p.count}, cost ${nanoText(p.costNano)}; ${p.warmReturns} warm returns after them saved ${nanoText(p.savedNano)}; net ${nanoText(p.netNano)}`;
}

/** Every line of one group's advice, as the CLI prints it under the group's label. */
export function groupLines(g: KeepWarmGroup): string[] {
  const pings = pingsText(g);
  return [gapsText(g), lossText(g), verdictText(g), ...(pings ? [pings] : [])];
}

/** The line under `ttl_expired` in a report: the agents where a ping pays, or why none does. */
export function ttlAdviceText(groups: readonly KeepWarmGroup[]): string | null {
  const paying = groups.filter((g) => g.basis === "pays");
  if (paying.length > 0)
    return `Keep warm pays for ${paying.map((g) => `${groupLabel(g)} (${g.pingsPerGap} per gap, ${nanoText(g.expectedNetPerDayNano)}/day)`).join("; ")}: openclaw usage-ledger advise.`;
  if (groups.some((g) => g.ttlExpired.calls > 0))
    return "Keep warm: by this history no ping pays for any agent (openclaw usage-ledger advise says why).";
  return null;
}
