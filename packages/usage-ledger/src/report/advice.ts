/**
 * What each miss cause means and what an operator can do about it, written once: the CLI table
 * (a line under it per cause present), `--by cause`, `--json` (`advice`) and the Token cache
 * page all print these words. Every setting named here exists: the host's heartbeat
 * (`agents.defaults.heartbeat.every`), the token-cache optimizer's `affinityScope` and
 * `upstreamHeader`, and this plugin's `cacheTtlSeconds` and `cacheGeometry`. No Node or DOM
 * dependency: the page bundles it (so it does not import cache/accounting.ts; its test holds
 * the keys to MISS_CAUSES).
 */
export interface CauseAdvice {
  /** What the cause says happened, in a few words. */
  meaning: string;
  /** What the operator can change; null when nothing on this side would help. */
  lever: string | null;
}

export const CAUSE_ADVICE = {
  none: { meaning: "read everything it could", lever: null },
  cold: {
    meaning: "first call of its affinity id: nothing cached yet",
    lever:
      'an id per host session starts cold each session: the token-cache optimizer\'s affinityScope "workspace" (the default) lets an agent\'s sessions share one warm cache; "session" keeps them apart',
  },
  below_minimum: {
    meaning: "the shared prompt was shorter than the provider caches",
    lever: null,
  },
  plateau: {
    meaning: "read up to where the provider's cache reads stop",
    lever:
      "a provider limit, not a loss; set cacheGeometry.<provider/model>.plateauTokens if known",
  },
  ttl_expired: {
    meaning: "idle longer than the cache TTL before this call",
    lever:
      "keep the prefix warm where it pays: openclaw usage-ledger advise (the page's Keep warm card) says per agent whether a ping before the TTL pays and which token-cache optimizer keepWarm setting sends them; a heartbeat shorter than the TTL also keeps it warm at a full turn's cost (agents.defaults.heartbeat.every, or per agent agents.entries.<id>.heartbeat.every); check the TTL the ledger assumes (cacheTtlSeconds, cacheGeometry.<provider/model>.ttlSeconds)",
  },
  not_ready: {
    meaning: "sent before the provider had finished caching the previous call",
    lever: null,
  },
  replica_switch: {
    meaning: "another upstream replica served it than the previous call",
    lever:
      "affinity: keep one affinity id per conversation (the token-cache optimizer with sendHints on, affinityScope to taste); persistent switches are TaaS's routing",
  },
  replica_unreported: {
    meaning: "missed with no replica named: a switch or an eviction, TaaS does not say",
    lever:
      "affinity: check the optimizer sends its hints (sendHints); if the gateway names its replica in a header, set the optimizer's upstreamHeader to tell the two apart",
  },
  prefix_tools: {
    meaning: "the tool schemas changed between calls",
    lever: "keep the tool set stable within a session (enabled tools, plugins, MCP servers)",
  },
  prefix_system: {
    meaning: "the system prompt changed between calls",
    lever:
      "find what changes per turn in the system prompt: a workspace file injected into it (AGENTS.md, SOUL.md, USER.md, MEMORY.md) rewritten every turn, a timestamp, a changing skill list",
  },
  prefix_history: {
    meaning: "an earlier message changed: compaction, pruning or an edit",
    lever: "compaction and context pruning rewrite history; fewer of them keeps it cached",
  },
  upstream: {
    meaning: "same replica, within the TTL, same prefix, still missed: an eviction",
    lever: "the provider's or TaaS's side (eviction): report it with the affinity id and times",
  },
  unknown: {
    meaning: "no prompt digests for this call or its previous one",
    lever:
      "install and enable the token-cache optimizer so the ledger can account each call's cache",
  },
} as const satisfies Record<string, CauseAdvice>;

type AdvisedCause = keyof typeof CAUSE_ADVICE;
const isCause = (value: string): value is AdvisedCause => Object.hasOwn(CAUSE_ADVICE, value);

/** The advice for a cause name as a report carries it; undefined for a name this version lacks. */
export function adviceFor(cause: string | null): CauseAdvice | undefined {
  return cause !== null && isCause(cause) ? CAUSE_ADVICE[cause] : undefined;
}

/** One line of advice: "meaning; lever" (the meaning alone when nothing would help). */
export function adviceText(advice: CauseAdvice): string {
  const meaning = capitalize(advice.meaning);
  return advice.lever ? `${meaning}. ${capitalize(advice.lever)}.` : `${meaning}.`;
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
