import { type ModelRow, SEED_MODELS } from "@cloudsigma/taas-emulator";
import type { ProviderModel } from "./config.ts";

/**
 * The emulator's catalog rows as OpenClaw `models.providers.*.models` entries (prices are USD
 * per million tokens on both sides; cached input is priced at a tenth, as TaaS bills it).
 */
export function providerModels(
  rows: readonly ModelRow[] = SEED_MODELS,
  compat?: Record<string, unknown>,
): ProviderModel[] {
  return rows.map((row) => ({
    id: row.id,
    name: row.id,
    contextWindow: row.context_window,
    maxTokens: row.max_output_tokens,
    input: row.type === "vision" && row.capabilities.vision ? ["text", "image"] : ["text"],
    reasoning: row.capabilities.reasoning,
    cost: {
      input: row.pricing.input,
      output: row.pricing.output,
      cacheRead: row.pricing.input / 10,
      cacheWrite: 0,
    },
    ...(compat ? { compat } : {}),
  }));
}
