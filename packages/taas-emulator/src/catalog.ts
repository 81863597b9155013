import { AUTO_MODEL_ID } from "@cloudsigma/taas-core/autorouter";
import type { ModelCapabilities, ModelRow, ModelType } from "./types.ts";

/** The model the gateway routes to when a client names no preference. */
export const DEFAULT_MODEL_ID = "gpt-5.5";

/** Pseudo-model accepted by chat completions; deliberately not a `/v1/models` row. */
export { AUTO_MODEL_ID };

/**
 * One row as a tuple: id, type, context window, max output tokens, then the emulator's prices
 * (USD per 1M input and output tokens), then capability overrides. The prices are illustrative
 * values for tests and benchmarks, not TaaS's: they exist so the provider's price reading can be
 * exercised, and like the pricing CloudSigma's own provider reads (`input`, `output`) they state
 * no cache-read price. The row layout is the one that provider reads; TaaS documents none.
 */
type RowSpec = [
  id: string,
  type: ModelType,
  context: number,
  maxOutput: number,
  input: number,
  output: number,
  caps?: Partial<ModelCapabilities>,
];

function row([id, type, context, maxOutput, input, output, caps]: RowSpec): ModelRow {
  const chatCapable = type === "chat" || type === "vision";
  return {
    id,
    object: "model",
    type,
    context_window: context,
    max_output_tokens: maxOutput,
    capabilities: {
      chat_completions: chatCapable,
      reasoning: false,
      thinking: false,
      vision: type === "vision",
      ...caps,
    },
    pricing: { input, output },
  };
}

const REASONING = { reasoning: true, thinking: true };

/** Rows an OpenClaw config seeds statically; the rest of the catalog is discovery-only. */
export const SEED_MODELS: readonly ModelRow[] = (
  [
    ["gpt-5.5", "chat", 400_000, 128_000, 1.25, 10],
    ["gpt-5.4", "chat", 1_050_000, 128_000, 2.5, 15],
    ["claude-fable-5", "chat", 1_000_000, 128_000, 15, 75, REASONING],
    ["claude-opus-4.8", "chat", 200_000, 32_000, 5, 25],
    ["claude-sonnet-4.6", "chat", 1_000_000, 64_000, 3, 15],
    ["gemini-3.1-flash-lite", "vision", 1_000_000, 65_000, 0.1, 0.4],
    ["kimi-k2.6", "chat", 262_000, 262_000, 0.6, 2.5],
    ["qwen3-vl", "vision", 262_000, 8_000, 0.3, 1.2],
    ["pixtral-large", "vision", 128_000, 4_000, 2, 6],
    ["qwen2.5-vl-72b", "vision", 32_000, 8_000, 0.4, 1.2],
    ["llama-3.3-70b", "chat", 128_000, 8_000, 0.23, 0.4],
    ["qwen3-235b", "chat", 256_000, 8_000, 0.2, 0.8],
    ["glm-4.5-air", "chat", 128_000, 8_000, 0.2, 1.1],
  ] satisfies RowSpec[]
).map(row);

/** Rows only visible through `/v1/models`, including deliberately awkward ones. */
export const DISCOVERY_ONLY_MODELS: readonly ModelRow[] = (
  [
    ["deepseek-v4", "chat", 128_000, 16_000, 0.27, 1.1],
    ["mistral-large-3", "chat", 256_000, 16_000, 0.5, 1.5],
    ["internvl3-78b", "vision", 32_000, 8_000, 0.4, 1],
    // Typed "vision" by the upstream listing but without the vision capability: consumers
    // must trust capabilities over type.
    ["llava-1.6-legacy", "vision", 4_096, 2_048, 0.2, 0.2, { vision: false }],
    ["text-embedding-3-large", "embedding", 8_191, 0, 0.13, 0],
    ["bge-reranker-v2-m3", "rerank", 8_192, 0, 0.02, 0],
  ] satisfies RowSpec[]
).map(row);

export const DEFAULT_CATALOG: readonly ModelRow[] = [...SEED_MODELS, ...DISCOVERY_ONLY_MODELS];

export function findModel(catalog: readonly ModelRow[], id: string): ModelRow | undefined {
  return catalog.find((model) => model.id === id);
}

export function isChatModel(model: ModelRow): boolean {
  return model.capabilities.chat_completions;
}
