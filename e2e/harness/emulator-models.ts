import { type ModelRow, SEED_MODELS } from "@cloudsigma/taas-emulator";
import type { ProviderModel } from "./config.ts";

/**
 * The emulator's catalog rows as OpenClaw `models.providers.*.models` entries, priced the way an
 * operator's config would be (USD per million tokens). The figures are the emulator's
 * illustrative ones, not TaaS's; the cache-read price (a tenth of input) is this harness's own
 * assumption, so tests that assert prices set their own instead.
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
