import { AUTOROUTER_ALGORITHMS } from "@cloudsigma/taas-core/autorouter";
import { type ParsedConfig, parseConfig } from "@cloudsigma/taas-core/config";
import { OPTIMIZER_PLUGIN_ID } from "@cloudsigma/taas-core/contracts/plugin-ids";
import { KEEP_WARM_SPEC } from "./keep-warm/config.ts";
import type { BoundedLoadSettings } from "./shard-balancer.ts";

/** Named by the route-store and stream-decorator seams, so it is declared with them. */
export const PLUGIN_ID = OPTIMIZER_PLUGIN_ID;

/**
 * The bounded scope's settings. 15 a minute is OpenAI's prompt-caching guidance for one
 * prefix+key before requests overflow to machines without the cache (OpenAI's prompt-caching
 * guide; the emulator's `documented` profile uses the same figure per slot); 600 s
 * is the upper end of its 5-10 minute idle eviction, after which a shard's cache is cold and the
 * shard can go.
 */
const BOUNDED_LOAD_FIELDS = {
  requestsPerMinute: {
    type: "integer",
    default: 15,
    min: 1,
    max: 100_000,
    description:
      "Requests over a sliding minute one affinity id takes before a new conversation goes to another shard (OpenAI's guidance: ~15 per prefix+key).",
  },
  maxShards: {
    type: "integer",
    default: 8,
    min: 1,
    max: 64,
    description:
      "Affinity ids one agent may spread over, its base id included; when all are at the bound a new conversation joins the least-loaded.",
  },
  idleSeconds: {
    type: "integer",
    default: 600,
    min: 10,
    max: 86_400,
    description:
      "A shard with no request for this long retires with its conversations (its prompt cache has been evicted by then).",
  },
} as const;

export const CONFIG_SPEC = {
  providers: {
    type: "stringList",
    default: ["cloudsigma", "cloudsigma-staging"],
    minItems: 1,
    maxItems: 32,
    description:
      "Provider ids whose requests get affinity metadata and headers; every other provider is left untouched.",
  },
  sendHints: {
    type: "boolean",
    default: true,
    description:
      "Send the affinity metadata and headers. false only observes: routes and prompt digests are still captured for the usage ledger, so a gateway can be measured before the optimizer steers it.",
  },
  affinityScope: {
    type: "string",
    default: "workspace",
    enum: ["workspace", "session", "bounded"],
    description:
      "What one affinity id covers: the agent workspace (all sessions of an agent share one upstream cache), each host session, or bounded: the workspace's id while its load is under boundedLoad, a few keyed shards of it past that.",
  },
  boundedLoad: {
    type: "section",
    fields: BOUNDED_LOAD_FIELDS,
    description:
      "The bounded scope's load bound: how many requests a minute one affinity id takes before new conversations go to another shard, and how many shards an agent may use.",
  },
  repoHints: {
    type: "boolean",
    default: true,
    description:
      "Send repo_name and git_branch_hint (read from the .git files off the request path; git is never run, paths and remotes never sent).",
  },
  repoHintsTtlMs: {
    type: "integer",
    default: 300_000,
    min: 10_000,
    max: 86_400_000,
    description:
      "How long gathered repo hints are reused before they are refreshed in the background.",
  },
  captureMaxSessions: {
    type: "integer",
    default: 1000,
    min: 1,
    max: 100_000,
    description:
      "Affinity sessions whose latest route capture is kept (least recently captured dropped first).",
  },
  captureMaxAgents: {
    type: "integer",
    default: 256,
    min: 1,
    max: 10_000,
    description: "Agent ids whose latest route capture is kept.",
  },
  captureMaxCalls: {
    type: "integer",
    default: 5000,
    min: 0,
    max: 1_000_000,
    description: "Per-call route captures kept for the usage ledger (0 keeps none).",
  },
  upstreamHeader: {
    type: "string",
    default: "x-taas-upstream",
    maxLength: 100,
    description:
      "Response header that names the upstream replica which served a call; the usage ledger tells a replica switch from a provider-side miss by it.",
  },
  autorouterAlgorithm: {
    type: "optionalString",
    enum: AUTOROUTER_ALGORITHMS,
    description:
      "Autorouter algorithm asked of TaaS (X-TaaS-Autorouter-Algorithm) on calls to the auto model when neither the session nor the agent has one set by taas.autorouter.setAlgorithm; absent, TaaS decides.",
  },
  debug: {
    type: "boolean",
    default: false,
    description:
      "Log the session source, the affinity id and each capture (OPENCLAW_DEBUG=1 does the same).",
  },
  keepWarm: {
    type: "section",
    fields: KEEP_WARM_SPEC,
    description:
      "Keep conversations' provider caches warm when the usage ledger's advisor says it pays (off unless keepWarm.enabled).",
  },
} as const;

export type OptimizerConfig = ParsedConfig<typeof CONFIG_SPEC>;

/**
 * The bounded scope's balancer settings: the configured section, else its defaults; at most as
 * many agents and conversations per agent as the route captures keep.
 */
export function boundedLoadSettings(config: OptimizerConfig): BoundedLoadSettings {
  const bound = config.boundedLoad ?? parseConfig(PLUGIN_ID, BOUNDED_LOAD_FIELDS, {});
  return {
    requestsPerMinute: bound.requestsPerMinute,
    maxShards: bound.maxShards,
    idleMs: bound.idleSeconds * 1000,
    maxBases: config.captureMaxAgents,
    maxConversations: config.captureMaxSessions,
  };
}

export const parseOptimizerConfig = (raw: unknown): OptimizerConfig =>
  parseConfig(PLUGIN_ID, CONFIG_SPEC, raw);
