import { lostTokens } from "../report/figures.ts";
import type { LedgerRow } from "../store/columns.ts";
import { PROVIDER_CAUSES } from "./accounting.ts";

const PER_AGENT_MS = 60_000;
const MAX_AGENTS = 1_000;

/**
 * One log line when a warm call loses more cacheable tokens than the threshold, naming the
 * agent, the cause, the tokens and the model that served it, so an operator sees a cache drop
 * as it happens without running a report. Told every enriched row; rows without a cause (not
 * accounted) say nothing, and neither do what the provider could not serve whatever the operator
 * does (a plateau, a cache not ready yet): the line is for drops someone can act on. At most one
 * line per agent per minute: a replica outage must not flood the log.
 */
export function missLogger(options: {
  thresholdTokens: number;
  warn: (message: string) => void;
  now?: () => number;
}): (row: LedgerRow) => void {
  const lastLogged = new Map<string, number>();
  const now = options.now ?? Date.now;
  return (row) => {
    const accounting = row.cache;
    if (!accounting?.cause || PROVIDER_CAUSES.has(accounting.cause)) return;
    // The reports' LOST, by its one definition, so this line and a report agree to the token.
    const lost = lostTokens({
      missedTokens: accounting.missed ?? 0,
      invalidatedTokens: accounting.invalidated ?? 0,
    });
    if (options.thresholdTokens <= 0 || lost <= options.thresholdTokens) return;
    const agent = row.agentId ?? "(no agent)";
    const at = now();
    const previous = lastLogged.get(agent);
    if (previous !== undefined && at - previous < PER_AGENT_MS) return;
    lastLogged.delete(agent);
    lastLogged.set(agent, at);
    if (lastLogged.size > MAX_AGENTS) lastLogged.delete(lastLogged.keys().next().value ?? "");
    const where = accounting.divergedAt === null ? "" : ` at message ${accounting.divergedAt}`;
    const served = row.routedModel ?? row.model;
    const model = served && row.provider ? `${row.provider}/${served}` : served;
    options.warn(
      `cache miss: agent ${agent} lost ${lost} cacheable prompt tokens (${accounting.cause}${where})${model ? ` on ${model}` : ""}`,
    );
  };
}
