import type { ModelCapabilities, ModelRow, ModelType } from "./types.ts";

/** The model the gateway routes to when a client names no preference. */
export const DEFAULT_MODEL_ID = "gpt-5.5";

/** Pseudo-model accepted by chat completions; deliberately not a `/v1/models` row. */
export const AUTO_MODEL_ID = "auto";

interface RowSpec {
  type?: ModelType;
  context: number;
  maxOutput: number;
  input: number;
  output: number;
  caps?: Partial<ModelCapabilities>;
}

function row(id: string, spec: RowSpec): ModelRow {
  const type = spec.type ?? "chat";
  const chatCapable = type === "chat" || type === "vision";
  return {
    id,
    object: "model",
    type,
    context_window: spec.context,
    max_output_tokens: spec.maxOutput,
    capabilities: {
      chat_completions: chatCapable,
      reasoning: false,
      thinking: false,
      vision: type === "vision",
      ...spec.caps,
    },
    pricing: { input: spec.input, output: spec.output },
  };
}

/** Rows an OpenClaw config seeds statically; the rest of the catalog is discovery-only. */
export const SEED_MODELS: readonly ModelRow[] = [
  row("gpt-5.5", { context: 400_000, maxOutput: 128_000, input: 1.25, output: 10 }),
  row("gpt-5.4", { context: 1_050_000, maxOutput: 128_000, input: 2.5, output: 15 }),
  row("claude-fable-5", {
    context: 1_000_000,
    maxOutput: 128_000,
    input: 15,
    output: 75,
    caps: { reasoning: true, thinking: true },
  }),
  row("claude-opus-4.8", { context: 200_000, maxOutput: 32_000, input: 5, output: 25 }),
  row("claude-sonnet-4.6", { context: 1_000_000, maxOutput: 64_000, input: 3, output: 15 }),
  row("gemini-3.1-flash-lite", {
    type: "vision",
    context: 1_000_000,
    maxOutput: 65_000,
    input: 0.1,
    output: 0.4,
  }),
  row("kimi-k2.6", { context: 262_000, maxOutput: 262_000, input: 0.6, output: 2.5 }),
  row("qwen3-vl", { type: "vision", context: 262_000, maxOutput: 8_000, input: 0.3, output: 1.2 }),
  row("pixtral-large", {
    type: "vision",
    context: 128_000,
    maxOutput: 4_000,
    input: 2,
    output: 6,
  }),
  row("qwen2.5-vl-72b", {
    type: "vision",
    context: 32_000,
    maxOutput: 8_000,
    input: 0.4,
    output: 1.2,
  }),
  row("llama-3.3-70b", { context: 128_000, maxOutput: 8_000, input: 0.23, output: 0.4 }),
  row("qwen3-235b", { context: 256_000, maxOutput: 8_000, input: 0.2, output: 0.8 }),
  row("glm-4.5-air", { context: 128_000, maxOutput: 8_000, input: 0.2, output: 1.1 }),
];

/** Rows only visible through `/v1/models`, including deliberately awkward ones. */
export const DISCOVERY_ONLY_MODELS: readonly ModelRow[] = [
  row("deepseek-v4", { context: 128_000, maxOutput: 16_000, input: 0.27, output: 1.1 }),
  row("mistral-large-3", { context: 256_000, maxOutput: 16_000, input: 0.5, output: 1.5 }),
  row("internvl3-78b", {
    type: "vision",
    context: 32_000,
    maxOutput: 8_000,
    input: 0.4,
    output: 1,
  }),
  // Typed "vision" by the upstream listing but without the vision capability: consumers
  // must trust capabilities over type.
  row("llava-1.6-legacy", {
    type: "vision",
    context: 4_096,
    maxOutput: 2_048,
    input: 0.2,
    output: 0.2,
    caps: { vision: false },
  }),
  row("text-embedding-3-large", {
    type: "embedding",
    context: 8_191,
    maxOutput: 0,
    input: 0.13,
    output: 0,
  }),
  row("bge-reranker-v2-m3", {
    type: "rerank",
    context: 8_192,
    maxOutput: 0,
    input: 0.02,
    output: 0,
  }),
];

export const DEFAULT_CATALOG: readonly ModelRow[] = [...SEED_MODELS, ...DISCOVERY_ONLY_MODELS];

export function findModel(catalog: readonly ModelRow[], id: string): ModelRow | undefined {
  return catalog.find((model) => model.id === id);
}

export function isChatModel(model: ModelRow): boolean {
  return model.capabilities.chat_completions;
}
