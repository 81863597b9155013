import { AUTO_MODEL_ID } from "@cloudsigma/taas-core/autorouter";
import { catalogCost } from "./listed-prices.ts";
import type { ModelDefinition } from "./model-types.ts";

/**
 * One TaaS route as CloudSigma's own provider README publishes it (its "Static catalog" table:
 * id, context, max output, image input); `image` marks routes whose image input it lists as
 * verified, and nothing else advertises it. The seed states no prices: they
 * come from the operator's config or from TaaS's own `/models` listing (`listed-prices.ts`). The autorouter's row
 * has no price of its own either: TaaS bills the route it picked.
 */
export interface SeedRoute {
  id: string;
  label: string;
  notes: string;
  image: boolean;
  reasoning: boolean;
  contextWindow: number;
  maxOutput: number;
}

const K = 1_000;
const M = 1_000_000;

const IMAGE = { image: true } as const;
const REASONING = { reasoning: true } as const;

// biome-ignore format: one route per line, like the README's catalog table, reads as a table
const MODEL_ROUTES: readonly SeedRoute[] = [
  route("gpt-5.5", "GPT-5.5", "Default route", 400 * K, 128 * K),
  route("gpt-5.4", "GPT-5.4", "Large-context GPT route", 1.05 * M, 128 * K),
  route("claude-fable-5", "Claude Fable 5", "Reasoning-capable Claude route", 1 * M, 128 * K, REASONING),
  route("claude-opus-4.8", "Claude Opus 4.8", "High-end Claude route", 200 * K, 32 * K),
  route("claude-sonnet-4.6", "Claude Sonnet 4.6", "Balanced Claude route", 1 * M, 64 * K),
  route("gemini-3.1-flash-lite", "Gemini 3.1 Flash Lite", "Vision-capable Gemini route", 1 * M, 65 * K, IMAGE),
  route("kimi-k2.6", "Kimi K2.6", "Long-output route", 262 * K, 262 * K),
  route("qwen3-vl", "Qwen3 VL", "Vision-language route", 262 * K, 8 * K, IMAGE),
  route("pixtral-large", "Pixtral Large", "Vision-language route", 128 * K, 4 * K, IMAGE),
  route("qwen2.5-vl-72b", "Qwen2.5 VL 72B", "Vision-language route", 32 * K, 8 * K, IMAGE),
  route("llama-3.3-70b", "Llama 3.3 70B", "Open model route", 128 * K, 8 * K),
  route("qwen3-235b", "Qwen3 235B", "Large Qwen route", 256 * K, 8 * K),
  route("glm-4.5-air", "GLM 4.5 Air", "Lightweight GLM route", 128 * K, 8 * K),
];

/** Model id of the TaaS autorouter: it picks one concrete route per request. */
export { AUTO_MODEL_ID };

/**
 * The routes the autorouter picks from, as the emulator's own rules (`emulator-rules-v1`) pick
 * them: an image part goes to the vision route, a prompt over 200k tokens to the large-context
 * route, a request for reasoning (`reasoning_effort`, `thinking`) to the reasoning route, a
 * request with tools to the default route, anything else to the fast route. TaaS documents
 * none of this (its catalog has no `auto` row): it is an assumption, held to the emulator by a
 * unit test, and the `auto` row below is only as true as it is.
 */
export const AUTOROUTER_TARGETS = {
  vision: "gemini-3.1-flash-lite",
  longContext: "gpt-5.4",
  reasoning: "claude-fable-5",
  agentic: "gpt-5.5",
  fast: "gemini-3.1-flash-lite",
} as const;

/**
 * The autorouter's row, derived from the routes the emulator's rules may pick: the largest context (a long prompt
 * is sent to the large-context route), reasoning (a request that asks for it is sent to the
 * reasoning route), image input when the route it sends images to takes them (images are
 * matched first, whatever else the request asks), and the smallest max output, since the
 * route, and so its output limit, is chosen per request. No price: see `SeedRoute`.
 */
function autorouterRoute(routes: readonly SeedRoute[]): SeedRoute {
  const targets = [...new Set(Object.values(AUTOROUTER_TARGETS))].map((id) => {
    const target = routes.find((candidate) => candidate.id === id);
    if (!target) throw new Error(`autorouter target ${id} is not a seed route`);
    return target;
  });
  const vision = routes.find((candidate) => candidate.id === AUTOROUTER_TARGETS.vision);
  return {
    id: AUTO_MODEL_ID,
    label: "Auto",
    notes: "Autorouter: picks a route per request, reasoning when asked",
    image: vision?.image ?? false,
    reasoning: targets.some((target) => target.reasoning),
    contextWindow: Math.max(...targets.map((target) => target.contextWindow)),
    maxOutput: Math.min(...targets.map((target) => target.maxOutput)),
  };
}

/** The static seed catalog: ships with the package, works offline; its limits win over discovery. */
export const SEED_ROUTES: readonly SeedRoute[] = [...MODEL_ROUTES, autorouterRoute(MODEL_ROUTES)];

function route(
  id: string,
  label: string,
  notes: string,
  contextWindow: number,
  maxOutput: number,
  flags: { image?: boolean; reasoning?: boolean } = {},
): SeedRoute {
  return {
    id,
    label,
    notes,
    image: flags.image ?? false,
    reasoning: flags.reasoning ?? false,
    contextWindow: Math.round(contextWindow),
    maxOutput,
  };
}

/**
 * Wire compatibility every TaaS route shares: usage arrives in the stream's last chunk
 * (CloudSigma's provider lists streaming usage), and the host sends `prompt_cache_key`, OpenAI's
 * cache hint: OpenAI routes on it with the prefix hash; that TaaS passes it on is assumed.
 */
export const TAAS_COMPAT = {
  supportsUsageInStreaming: true,
  supportsPromptCacheKey: true,
} as const;

/**
 * A seed route as the host's model row: the notes ride in the display name. A reasoning row
 * declares that it takes `reasoning_effort`, so `--thinking` reaches TaaS whatever the host
 * guesses about the endpoint (the autorouter routes on it). Its `cost` is all zeros, the host's
 * own mark for a row nobody priced (the field is required): discovery fills TaaS's listed
 * prices in, and the usage ledger reads all zeros as unknown, never as free.
 */
export function seedModel(seed: SeedRoute): ModelDefinition {
  return {
    id: seed.id,
    name: `${seed.label} (${seed.notes})`,
    reasoning: seed.reasoning,
    input: seed.image ? ["text", "image"] : ["text"],
    cost: catalogCost(undefined),
    contextWindow: seed.contextWindow,
    maxTokens: seed.maxOutput,
    compat: { ...TAAS_COMPAT, ...(seed.reasoning ? { supportsReasoningEffort: true } : {}) },
  };
}

/** Fresh copies of the static rows (callers may mutate what they get). */
export function staticModels(): ModelDefinition[] {
  return SEED_ROUTES.map(seedModel);
}

export function isSeedModelId(id: string): boolean {
  return SEED_ROUTES.some((seed) => seed.id === id);
}
