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
}

/**
 * `random` (seeded) is the default because lockstep round-robin hands each of N agents its own
 * replica when there are N replicas, which makes a client without affinity look better than it is.
 */
export type KeylessRouting = "random" | "round-robin";

export const KEYLESS_ROUTINGS: readonly KeylessRouting[] = ["random", "round-robin"];

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
