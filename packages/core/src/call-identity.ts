import { sanitizeHeaderValue } from "./header-value.ts";
import { isRecord } from "./records.ts";

/*
 * The identity every call the suite sends to TaaS carries: a session id and an agent id,
 * together. TaaS trusts a caller's affinity id only when an agent id comes with it; a call with
 * an id but no agent id is routed as a new session (`fallback_reason=missing_agent_and_session`),
 * which silently turns affinity off. The optimizer and the TaaS provider plugin (when no
 * optimizer decorates its calls) both name the agent and read a caller's pinned id this way.
 */

/**
 * Where a call's agent id came from, best first:
 * - `host`: the agent the host names when it prepares the model (every agent turn, tool
 *   follow-up, subagent, cron run, heartbeat, compaction and gateway model run in OpenClaw
 *   2026.9.6);
 * - `config`: the agent the host's config makes the owner of work that runs for no agent
 *   (the host's standalone completions, such as `infer model run --local`, name none):
 *   `agents.defaults.systemAgent.agentId`, else the one agent marked `default`, else the only
 *   agent configured;
 * - `default`: the host's own default agent id, `main`, when the config names no single owner.
 */
type AgentIdSource = "host" | "config" | "default";

interface CallAgent {
  id: string;
  source: AgentIdSource;
}

/** The id OpenClaw gives the agent of a config that configures none. */
const DEFAULT_AGENT_ID = "main";

/** Ids are short; anything longer is not an id the suite forwards. */
export const MAX_CALL_ID_LENGTH = 128;

/**
 * The id a caller pinned itself (`metadata.session_id`, else `metadata.sticky_key`, in config
 * params or the request body), made header-safe the one way every place uses it: printable
 * ASCII, trimmed, at most 128 characters. Undefined when nothing usable is left.
 */
export function pinnedSessionId(metadata: unknown): string | undefined {
  if (!isRecord(metadata)) return undefined;
  return (
    sanitizeHeaderValue(metadata.session_id, MAX_CALL_ID_LENGTH) ??
    sanitizeHeaderValue(metadata.sticky_key, MAX_CALL_ID_LENGTH)
  );
}

/** The agent a call is sent with: the host's, else the config's owner, else `main`. */
export function callAgentId(hostAgentId: string | undefined, config: unknown): CallAgent {
  const host = sanitizeHeaderValue(hostAgentId, MAX_CALL_ID_LENGTH);
  if (host) return { id: host, source: "host" };
  const owner = configOwnerAgentId(config);
  if (owner) return { id: owner, source: "config" };
  return { id: DEFAULT_AGENT_ID, source: "default" };
}

/**
 * The owner of agentless work as the host's config names it (the host's ambient-owner rule, read
 * from the config the host hands the hook), or undefined when several agents are configured
 * and none is named.
 */
function configOwnerAgentId(config: unknown): string | undefined {
  const agents = isRecord(config) ? config.agents : undefined;
  if (!isRecord(agents)) return undefined;
  const defaults = isRecord(agents.defaults) ? agents.defaults : undefined;
  const systemAgent = isRecord(defaults?.systemAgent) ? defaults.systemAgent : undefined;
  const named = normalizeAgentId(systemAgent?.agentId);
  if (named) return named;
  const roster = rosterOf(agents);
  // An explicit fleet has no legacy default marker: only the system agent names its owner.
  if (agents.ownership !== "explicit") {
    const marked = roster.filter((entry) => entry.marked);
    if (marked.length === 1) return marked[0]?.id;
  }
  return roster.length === 1 ? roster[0]?.id : undefined;
}

interface RosterEntry {
  id: string;
  marked: boolean;
}

/** The configured agents, from `agents.entries` (keyed by id) or `agents.list` (with `id`). */
function rosterOf(agents: Record<string, unknown>): RosterEntry[] {
  const raw: Array<[unknown, unknown]> = isRecord(agents.entries)
    ? Object.entries(agents.entries)
    : Array.isArray(agents.list)
      ? agents.list.map((entry) => [isRecord(entry) ? entry.id : undefined, entry])
      : [];
  const seen = new Map<string, RosterEntry>();
  for (const [rawId, entry] of raw) {
    const id = normalizeAgentId(rawId);
    if (id && !seen.has(id))
      seen.set(id, { id, marked: isRecord(entry) && entry.default === true });
  }
  return [...seen.values()];
}

const VALID_AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

/**
 * The host's canonical form of an agent id: lower case, `[a-z0-9_-]`, at most 64 characters,
 * other runs of characters made one `-`. A config value is sent as the host itself would name
 * that agent; undefined when nothing is left.
 */
function normalizeAgentId(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  const lower = trimmed.toLowerCase();
  if (VALID_AGENT_ID.test(trimmed)) return lower;
  const id = lower
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+/, "")
    .replace(/-+$/, "")
    .slice(0, 64);
  return id || undefined;
}
