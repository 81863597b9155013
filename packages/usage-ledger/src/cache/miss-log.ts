import { lostTokens } from "../report/figures.ts";
import type { CacheAccounting } from "./accounting.ts";

const PER_AGENT_MS = 60_000;
const MAX_AGENTS = 1_000;

/**
 * One log line when a warm call loses more cacheable tokens than the threshold, naming the
 * agent, the cause and the tokens, so an operator sees a cache drop as it happens without
 * running a report. At most one line per agent per minute: a replica outage must not flood the log.
 */
export function missLogger(options: {
  thresholdTokens: number;
  warn: (message: string) => void;
  now?: () => number;
}): (agentId: string | null, model: string | null, accounting: CacheAccounting) => void {
  const lastLogged = new Map<string, number>();
  const now = options.now ?? Date.now;
  return (agentId, model, accounting) => {
    // The reports' LOST, by its one definition, so this line and a report agree to the token.
    const lost = lostTokens({
      missedTokens: accounting.missed ?? 0,
      invalidatedTokens: accounting.invalidated ?? 0,
    });
    if (options.thresholdTokens <= 0 || lost <= options.thresholdTokens) return;
    const agent = agentId ?? "(no agent)";
    const at = now();
    const previous = lastLogged.get(agent);
    if (previous !== undefined && at - previous < PER_AGENT_MS) return;
    lastLogged.delete(agent);
    lastLogged.set(agent, at);
    if (lastLogged.size > MAX_AGENTS) lastLogged.delete(lastLogged.keys().next().value ?? "");
    const where = accounting.divergedAt === null ? "" : ` at message ${accounting.divergedAt}`;
    options.warn(
      `cache miss: agent ${agent} lost ${lost} cacheable prompt tokens (${accounting.cause}${where})${model ? ` on ${model}` : ""}`,
    );
  };
}
