export type ModelType = "chat" | "vision" | "embedding" | "rerank" | "audio" | "image";

export interface ModelCapabilities {
  chat_completions: boolean;
  reasoning: boolean;
  thinking: boolean;
  vision: boolean;
}

/** One row of `GET /v1/models`; pricing is USD per 1M tokens. */
export interface ModelRow {
  id: string;
  object: "model";
  type: ModelType;
  context_window: number;
  max_output_tokens: number;
  capabilities: ModelCapabilities;
  pricing: { input: number; output: number };
}

export type ModelsFault =
  | "http-500"
  | "malformed-json"
  | "empty-list"
  | "wrong-types"
  | "slow"
  | "redirect";

export const MODELS_FAULTS: readonly ModelsFault[] = [
  "http-500",
  "malformed-json",
  "empty-list",
  "wrong-types",
  "slow",
  "redirect",
];

/** How `/v1/models` describes rows: TaaS's rich rows, or the plain OpenAI shape. */
export type ModelsListing = "taas" | "openai";

export const MODELS_LISTINGS: readonly ModelsListing[] = ["taas", "openai"];

/** A row of a plain OpenAI `/v1/models` listing: no type, limits, capabilities or prices. */
export interface PlainModelRow {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

export interface EmulatorOptions {
  apiKey?: string;
  replicas?: number;
  cacheTtlMs?: number;
  cacheCapacityBlocks?: number;
  minCacheTokens?: number;
  cacheStepTokens?: number;
  now?: () => number;
  maxBodyBytes?: number;
  recordLimit?: number;
  anthropicUsage?: boolean;
  models?: readonly ModelRow[];
  modelsFault?: ModelsFault;
  modelsListing?: ModelsListing;
  modelsDelayMs?: number;
  redirectTo?: string;
  chatLatencyMs?: number;
  /** How requests without an affinity key pick a replica. */
  keylessRouting?: KeylessRouting;
  /** Seed of the `random` keyless choice, so a run (and every reset) replays the same picks. */
  keylessSeed?: number;
  /** How long what a conversation sent is remembered for the cache cause (after last sent). */
  historyTtlMs?: number;
  /** Bound of that memory: one block per remembered boundary and per conversation. */
  historyCapacityBlocks?: number;
  /**
   * Which defaults the rule options below take: `documented` (the default: every rule TaaS is
   * documented to follow; see README "Documented rules") or `legacy` (the emulator's historic rules).
   */
  profile?: EmulatorProfile;
  /** Honour an affinity id only when an agent id comes with it (TaaS's identity rule). */
  requireAgentId?: boolean;
  /** Which affinity fields are read, in which order. */
  keyOrder?: KeyOrder;
  /** `hash`: a key's replica is recomputed per request; `stored`: bound once, moved only when forced. */
  affinityBinding?: AffinityBinding;
  /** Requests one replica serves at once; 0 is unlimited. */
  slotMaxConcurrent?: number;
  /** Requests one replica admits per sliding minute; 0 is unlimited. */
  slotRequestsPerMinute?: number;
  /** What a request finding its replica full does: go to another one, or queue. */
  slotOverflow?: SlotOverflow;
  /** Per-model-family cache behaviour (`openai`, `anthropic`, `delayed`) chosen by the model id. */
  cacheProfiles?: boolean;
  /** `openai` family: reads stop at this many cached tokens; 0 is no plateau. */
  cachePlateauTokens?: number;
  /** `delayed` family: a prefix becomes readable this long after it was first sent. */
  cacheReadyDelayMs?: number;
  /** One prefix cache per (replica, model) instead of one per replica for all models. */
  cachePerModel?: boolean;
  /** Send `X-TaaS-Upstream` (the serving replica): a test aid, real TaaS documents no such header. */
  upstreamHeader?: boolean;
  /** Honour the `X-TaaS-Autorouter-Algorithm` request header on `auto`. */
  autorouterAlgorithms?: boolean;
}

export type EmulatorProfile = "legacy" | "documented";

export const EMULATOR_PROFILES: readonly EmulatorProfile[] = ["legacy", "documented"];

/**
 * `emulator`: `metadata.session_id`, `metadata.sticky_key`, `X-Session-Id`, `prompt_cache_key`;
 * `documented`: `X-Session-Id`, `metadata.session_id`, `metadata.sticky_key` (TaaS's order).
 */
export type KeyOrder = "emulator" | "documented";

export const KEY_ORDERS: readonly KeyOrder[] = ["emulator", "documented"];

export type AffinityBinding = "hash" | "stored";

export const AFFINITY_BINDINGS: readonly AffinityBinding[] = ["hash", "stored"];

export type SlotOverflow = "spill" | "wait";

export const SLOT_OVERFLOWS: readonly SlotOverflow[] = ["spill", "wait"];

/**
 * `continuity` (TaaS's keyless heuristics) is the documented profile's choice; `random` (seeded)
 * the legacy one's. Lockstep round-robin hands each of N agents its own replica when there are N
 * replicas, which makes a client without affinity look better than it is: never a default.
 */
export type KeylessRouting = "random" | "round-robin" | "continuity";

export const KEYLESS_ROUTINGS: readonly KeylessRouting[] = ["random", "round-robin", "continuity"];

/** How TaaS matched a request to a session (its `match_reason`). */
export type MatchReason = "external_id_new" | "external_id" | "tool_chain" | "structural" | "new";

/** Why TaaS did not use a caller's identity (its `fallback_reason`). */
export type FallbackReason = "missing_agent_and_session";

export type ResolvedOptions = Required<Omit<EmulatorOptions, "modelsFault">> & {
  modelsFault: ModelsFault | undefined;
};

export type RoutingSource =
  | "metadata.session_id"
  | "metadata.sticky_key"
  | "x-session-id"
  | "prompt_cache_key"
  | KeylessRouting;

import type { CacheCause } from "./cache-cause.ts";

export interface RecordedRequest {
  seq: number;
  /** Epoch milliseconds from the emulator clock (`options.now`). */
  time: number;
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  model: string | null;
  replica: string | null;
  routingKey: string | null;
  routingSource: RoutingSource | null;
  promptTokens: number | null;
  cachedTokens: number | null;
  completionTokens: number | null;
  /** Emulator ground truth (also in the `x-taas-emulator-cache-*` headers); null unless served. */
  idealCachedTokens: number | null;
  cacheCause: CacheCause | null;
  /** Where a `diverged` prompt changed: `tools`, `system` or `history:<message index>`. */
  cacheCauseAt: string | null;
  stream: boolean;
  /** TaaS's `match_reason`: an id (first seen or known), a keyless heuristic, or a new session. */
  matchReason: MatchReason | null;
  /** The heuristic's confidence (tool chain 1.0, structural 0.85 or 0.30, new 0.30); null for ids. */
  matchConfidence: number | null;
  /** TaaS's `fallback_reason` when no identity was used; null when an id was honoured. */
  fallbackReason: FallbackReason | null;
  /** The agent id the request carried (`X-OpenClaw-Agent-Id` or the correlation envelope). */
  agentId: string | null;
  /** The replica the request was meant for when it spilled elsewhere because that one was full. */
  spilledFrom: string | null;
  /** Emulator-clock milliseconds the request queued for room on its replica. */
  waitedMs: number;
  /** The autorouter algorithm honoured from the request header, else null. */
  autorouterAlgorithm: string | null;
  /** The `x-request-id` and `x-trace-id` this response carried, so a client's capture can be matched. */
  requestId: string;
  traceId: string;
}

export interface ReplicaStats {
  name: string;
  requests: number;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  cacheEntries: number;
}

export interface EmulatorStats {
  replicas: ReplicaStats[];
  totals: {
    requests: number;
    promptTokens: number;
    cachedTokens: number;
    completionTokens: number;
    cacheEntries: number;
  };
}

export type EmulatorHandler = (req: Request) => Promise<Response>;

export interface Emulator {
  handle: EmulatorHandler;
  requests(): RecordedRequest[];
  stats(): EmulatorStats;
  reset(): void;
  /** Takes the named replicas (`replica-N`) out of rotation; none puts all back. */
  drain(replicas: readonly string[]): void;
}

export interface RunningEmulator {
  /** Base URL for OpenAI clients, e.g. `http://127.0.0.1:8787/v1`. */
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
  requests(): RecordedRequest[];
  stats(): EmulatorStats;
  reset(): void;
  drain(replicas: readonly string[]): void;
}

export interface StartOptions extends EmulatorOptions {
  host?: string;
  port?: number;
}
