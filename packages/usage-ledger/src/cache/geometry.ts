import type { LedgerConfig } from "../config.ts";

/** How one model's provider caches prompts: what the cache accounting computes a ceiling with. */
export interface CacheGeometry {
  /** Prompts shorter than this are not cached at all. */
  minTokens: number;
  /** Cache hits come in multiples of this above the minimum. */
  stepTokens: number;
  /** A prefix idle longer than this is gone. */
  ttlMs: number;
  /**
   * Where the provider's cache reads stop however long the shared prefix (OpenAI-family reads
   * stop near 4,864 tokens in OpenClaw's live probes): configured tokens, 0 for none, or null
   * when the ledger learns it from the calls (`plateau.ts`).
   */
  plateauTokens: number | null;
  /** How long after a prefix is first sent the provider can read it (DeepSeek-style); 0: at once. */
  readyDelayMs: number;
}

/** The longest prefix of `tokens` a cache can hold: 0 below the minimum, else on the step grid. */
export function cacheableTokens(tokens: number, geometry: CacheGeometry): number {
  if (tokens < geometry.minTokens || tokens <= 0) return 0;
  const step = Math.max(1, geometry.stepTokens);
  return geometry.minTokens + Math.floor((tokens - geometry.minTokens) / step) * step;
}

export type GeometryLookup = (provider: string | null, model: string | null) => CacheGeometry;

/**
 * The cache geometry a call's ceiling is computed with: the defaults (OpenAI's documented
 * 1024-token minimum and 128-token steps, a 5-minute idle lifetime, no ready delay, a plateau
 * learned from the calls) overridden per model. The most specific key wins so
 * `cloudsigma/claude-*` can differ from `cloudsigma/*`.
 */
export function geometryLookup(
  config: Pick<
    LedgerConfig,
    "cacheMinTokens" | "cacheStepTokens" | "cacheTtlSeconds" | "cacheGeometry"
  >,
): GeometryLookup {
  const base = {
    minTokens: config.cacheMinTokens,
    stepTokens: config.cacheStepTokens,
    ttlSeconds: config.cacheTtlSeconds,
  };
  const keys = Object.keys(config.cacheGeometry).sort(
    (a, b) => matchLength(b) - matchLength(a) || (a.endsWith("*") ? 1 : -1),
  );
  const cache = new Map<string, CacheGeometry>();
  return (provider, model) => {
    const id = `${(provider ?? "").toLowerCase()}/${model ?? ""}`;
    let geometry = cache.get(id);
    if (!geometry) {
      const key = keys.find((candidate) =>
        candidate.endsWith("*") ? id.startsWith(candidate.slice(0, -1)) : candidate === id,
      );
      const chosen = { ...base, ...(key ? config.cacheGeometry[key] : {}) };
      geometry = {
        minTokens: chosen.minTokens,
        stepTokens: chosen.stepTokens,
        ttlMs: chosen.ttlSeconds * 1000,
        plateauTokens: chosen.plateauTokens ?? null,
        readyDelayMs: (chosen.readyDelaySeconds ?? 0) * 1000,
      };
      if (cache.size < 1024) cache.set(id, geometry);
    }
    return geometry;
  };
}

const matchLength = (key: string): number => (key.endsWith("*") ? key.length - 1 : key.length);
