import type { PrefixBoundary } from "./prefix-cache.ts";
import type { ResolvedOptions } from "./types.ts";

/**
 * How a model family's provider caches prompts (the providers' caching docs, and OpenClaw's prompt-caching doc):
 * - `openai`: automatic exact-prefix cache, >= 1,024 tokens in 128-token steps, no write counter;
 *   in OpenClaw's live probes reads stop near 4,864 tokens (OpenClaw's prompt-caching doc): `cachePlateauTokens`.
 * - `anthropic`: reports `cache_creation_input_tokens` beside `cache_read_input_tokens`; minimum
 *   1,024 / 2,048 / 4,096 tokens by model; 5-minute TTL refreshed on each hit.
 * - `delayed` (DeepSeek-style): construction takes a few seconds, so an immediate follow-up may
 *   read 0: a prefix is readable `cacheReadyDelayMs` after it was first sent.
 */
export type CacheFamily = "openai" | "anthropic" | "delayed";

export interface CacheProfile {
  /** null: the one geometry every model shared before profiles (`cacheProfiles: false`). */
  family: CacheFamily | null;
  /** No prefix shorter than this is cached. */
  minTokens: number;
  /** Reads stop at this many tokens; 0 is no plateau. */
  plateauTokens: number;
  readyDelayMs: number;
  /** Whether usage reports cache writes (`cache_creation_input_tokens`). */
  reportsWrites: boolean;
}

/**
 * Which family each model of the catalog belongs to, by its id. TaaS's listing says nothing of
 * caching, so this is the emulator's assumption: Claude models behave as Anthropic documents,
 * DeepSeek models as OpenClaw's prompt-caching doc describes, and every other model as OpenAI's automatic cache.
 */
export function cacheFamilyOf(modelId: string): CacheFamily {
  if (/claude|anthropic/i.test(modelId)) return "anthropic";
  if (/deepseek/i.test(modelId)) return "delayed";
  return "openai";
}

/**
 * Anthropic's minimum cacheable prompt by model: 4,096 for Opus 4.5 and later and Haiku 4.5,
 * 2,048 for older Haiku, 1,024 otherwise. Which emulated model is which is our assumption: an
 * Opus is a recent one, a model Anthropic never named (claude-fable-5) gets the smallest.
 */
export function anthropicMinimum(modelId: string): number {
  if (/opus|haiku-4/i.test(modelId)) return 4096;
  if (/haiku/i.test(modelId)) return 2048;
  return 1024;
}

type ProfileOptions = Pick<
  ResolvedOptions,
  "cacheProfiles" | "minCacheTokens" | "cachePlateauTokens" | "cacheReadyDelayMs" | "anthropicUsage"
>;

export function cacheProfileFor(modelId: string, options: ProfileOptions): CacheProfile {
  const shared = {
    minTokens: options.minCacheTokens,
    plateauTokens: 0,
    readyDelayMs: 0,
    reportsWrites: options.anthropicUsage,
  };
  if (!options.cacheProfiles) return { family: null, ...shared };
  const family = cacheFamilyOf(modelId);
  switch (family) {
    case "openai":
      return { ...shared, family, plateauTokens: options.cachePlateauTokens };
    case "anthropic": {
      const minTokens = Math.max(options.minCacheTokens, anthropicMinimum(modelId));
      return { ...shared, family, minTokens, reportsWrites: true };
    }
    case "delayed":
      return { ...shared, family, readyDelayMs: options.cacheReadyDelayMs };
  }
}

/** A prompt's boundaries as one model sees them: those it caches, and those it reads. */
export interface ProfiledBoundaries {
  /** At or above the model's minimum: what the model can cache at all. */
  eligible: PrefixBoundary[];
  /** Of those, the ones reads reach (up to the plateau): what is looked up and stored. */
  readable: PrefixBoundary[];
}

export function profiledBoundaries(
  boundaries: readonly PrefixBoundary[],
  profile: CacheProfile,
): ProfiledBoundaries {
  const eligible = boundaries.filter((b) => b.tokens >= profile.minTokens);
  const { plateauTokens } = profile;
  const readable =
    plateauTokens > 0 ? eligible.filter((b) => b.tokens <= plateauTokens) : [...eligible];
  return { eligible, readable };
}

/** A boundary as one cache holds it: per (replica, model) caches keep models apart. */
export function scopedBoundaries(
  boundaries: readonly PrefixBoundary[],
  model: string | null,
): PrefixBoundary[] {
  if (model === null) return [...boundaries];
  return boundaries.map((b) => ({ tokens: b.tokens, key: `${model}\u0000${b.key}` }));
}
