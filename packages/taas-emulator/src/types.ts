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
}

export type ResolvedOptions = Required<Omit<EmulatorOptions, "modelsFault">> & {
  modelsFault: ModelsFault | undefined;
};

export type RoutingSource =
  | "metadata.session_id"
  | "metadata.sticky_key"
  | "x-session-id"
  | "prompt_cache_key"
  | "round-robin";

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
}

export interface StartOptions extends EmulatorOptions {
  host?: string;
  port?: number;
}
