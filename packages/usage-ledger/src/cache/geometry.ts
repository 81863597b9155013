import type { LedgerConfig } from "../config.ts";
import type { CacheGeometry } from "./accounting.ts";

export type GeometryLookup = (provider: string | null, model: string | null) => CacheGeometry;

/**
 * The cache geometry a call's ceiling is computed with: the defaults (OpenAI's documented
 * 1024-token minimum and 128-token steps, a 5-minute idle lifetime) overridden per model. The
 * most specific key wins so `cloudsigma/claude-*` can differ from `cloudsigma/*`.
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
      };
      if (cache.size < 1024) cache.set(id, geometry);
    }
    return geometry;
  };
}

const matchLength = (key: string): number => (key.endsWith("*") ? key.length - 1 : key.length);
