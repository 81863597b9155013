import type { TokenKinds } from "./budget.ts";
import type { ProbeEstimate } from "./estimate.ts";
import { type IdentityReads, keeps, type ModelProbe } from "./result.ts";

/** One probed model as the command reports it: the measurement, what it spent, where it went. */
export interface ModelReport {
  probe: ModelProbe;
  spent: TokenKinds & { requests: number };
  /** USD at the known prices; null when a kind used has no price. */
  costUsd: number | null;
  /** The saved file, or why nothing was saved. */
  saved: { path: string } | { skipped: string };
}

export interface ProbeReport {
  endpoint: string;
  /** When the run started (ISO 8601). */
  probedAt: string;
  models: ModelReport[];
}

const count = (n: number): string => n.toLocaleString("en-US");
const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
export const usd = (value: number | null): string =>
  value === null ? "unknown (no price known for every kind used)" : `$${value.toFixed(4)}`;

export function estimateText(endpoint: string, estimates: Map<string, ProbeEstimate>): string {
  const lines = [`cloudsigma probe of ${endpoint}: estimate before sending anything`];
  for (const [model, e] of estimates) {
    lines.push(
      `  ${model}: about ${count(e.requests)} requests, ${count(e.tokens)} tokens, ${usd(e.costUsd)}, at least ${e.minutes} min`,
    );
  }
  return `${lines.join("\n")}\n`;
}

const identityLine = (reads: IdentityReads): string =>
  `${keeps(reads) ? "keeps" : "does not keep"} the conversation on its cache (${reads.hits}/${reads.reads} reads cached)`;

function readyLine(probe: ModelProbe): string {
  const { overMs, atMostMs } = probe.readyDelay;
  if (atMostMs === null) return `never within ${seconds(overMs)}`;
  if (atMostMs === 0) return "at once";
  return `after a delay: at most ${seconds(atMostMs)} (not yet at ${seconds(overMs)})`;
}

function lifetimeLine(probe: ModelProbe): string {
  const lifetime = probe.lifetime;
  if (!lifetime) return "not measured (--lifetime <bound> measures it; slow)";
  if (lifetime.goneMs === null)
    return `longer than the bound: still cached after ${seconds(lifetime.aliveMs)} idle`;
  return `gone after at most ${seconds(lifetime.goneMs)} idle (still cached after ${seconds(lifetime.aliveMs)})`;
}

function modelText(report: ModelReport): string[] {
  const { probe, spent } = report;
  const rows: [string, string][] = [["cached at all", probe.cached ? "yes" : "no"]];
  if (probe.cached) {
    rows.push(
      ["minimum", `${count(probe.minTokens ?? 0)} tokens`],
      [
        "step",
        probe.stepTokens === null
          ? "unknown (only the minimum was read)"
          : `${count(probe.stepTokens)} tokens`,
      ],
      [
        "plateau",
        probe.plateauTokens === null
          ? `none up to ${count(probe.longestPrefixTokens)} tokens`
          : `${count(probe.plateauTokens)} tokens (reads of a ${count(probe.longestPrefixTokens)}-token prefix stop there)`,
      ],
    );
  }
  rows.push(["readable", readyLine(probe)]);
  rows.push([
    "cache writes",
    probe.reportsWrites ? "reported (Anthropic-style cache_creation_input_tokens)" : "not reported",
  ]);
  if (probe.identity) {
    rows.push(["id + agent id", identityLine(probe.identity.withAgent)]);
    rows.push(["id, no agent id", identityLine(probe.identity.withoutAgent)]);
  }
  if (probe.cached) rows.push(["lifetime", lifetimeLine(probe)]);
  rows.push(["TaaS headers", probe.headers.length > 0 ? probe.headers.join(", ") : "none"]);
  const prompt = spent.input + spent.cacheRead + spent.cacheWrite;
  rows.push([
    "spent",
    `${count(spent.requests)} requests, ${count(prompt)} prompt tokens (${count(spent.cacheRead)} read from cache), ${count(spent.output)} output; ${usd(report.costUsd)}`,
  ]);
  rows.push(["saved", "path" in report.saved ? report.saved.path : `no: ${report.saved.skipped}`]);
  return [probe.model, ...rows.map(([label, value]) => `  ${label.padEnd(16)} ${value}`)];
}

export function reportText(report: ProbeReport): string {
  const lines = [`cloudsigma probe of ${report.endpoint} (${report.probedAt})`];
  for (const model of report.models) lines.push(...modelText(model));
  return `${lines.join("\n")}\n`;
}
