import type { ProbedGeometry } from "@cloudsigma/taas-core/contracts/probed-geometry";
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
 * Where a model's geometry comes from: a `cacheGeometry` entry of the operator's config (its
 * key), a probe of the endpoint (`openclaw cloudsigma probe`, with its date), or the defaults.
 */
export type GeometrySource =
  | { kind: "configured"; key: string }
  | { kind: "probed"; probedAt: string }
  | { kind: "default" };

export interface AccountedGeometry {
  geometry: CacheGeometry;
  source: GeometrySource;
}

export type GeometryResolver = (provider: string | null, model: string | null) => AccountedGeometry;

/** A probe's measurement of a model, as the probed-geometry seam answers it. */
export type ProbedLookup = (provider: string, model: string) => ProbedGeometry | undefined;

type GeometryConfig = Pick<
  LedgerConfig,
  "cacheMinTokens" | "cacheStepTokens" | "cacheTtlSeconds" | "cacheGeometry"
>;

/**
 * The cache geometry a call's ceiling is computed with, and where it comes from:
 * 1. a `cacheGeometry` entry matching the model (the most specific key wins, so
 *    `cloudsigma/claude-*` can differ from `cloudsigma/*`), over the defaults: the operator's
 *    word wins over any measurement;
 * 2. else the endpoint's probed geometry for the model, where one was saved (a probe that did
 *    not measure the lifetime keeps the default TTL; one that saw no plateau leaves it learned);
 * 3. else the defaults: OpenAI's documented 1024-token minimum and 128-token steps, a 5-minute
 *    idle lifetime, no ready delay, a plateau learned from the calls.
 */
export function geometryResolver(
  config: GeometryConfig,
  probed: ProbedLookup = () => undefined,
): GeometryResolver {
  const base = {
    minTokens: config.cacheMinTokens,
    stepTokens: config.cacheStepTokens,
    ttlSeconds: config.cacheTtlSeconds,
  };
  const keys = Object.keys(config.cacheGeometry).sort(
    (a, b) => matchLength(b) - matchLength(a) || (a.endsWith("*") ? 1 : -1),
  );
  const configured = new Map<string, AccountedGeometry | null>();
  const defaults: AccountedGeometry = {
    geometry: {
      minTokens: base.minTokens,
      stepTokens: base.stepTokens,
      ttlMs: base.ttlSeconds * 1000,
      plateauTokens: null,
      readyDelayMs: 0,
    },
    source: { kind: "default" },
  };
  const fromConfig = (id: string): AccountedGeometry | null => {
    const key = keys.find((candidate) =>
      candidate.endsWith("*") ? id.startsWith(candidate.slice(0, -1)) : candidate === id,
    );
    if (!key) return null;
    const chosen = { ...base, ...config.cacheGeometry[key] };
    return {
      geometry: {
        minTokens: chosen.minTokens,
        stepTokens: chosen.stepTokens,
        ttlMs: chosen.ttlSeconds * 1000,
        plateauTokens: chosen.plateauTokens ?? null,
        readyDelayMs: (chosen.readyDelaySeconds ?? 0) * 1000,
      },
      source: { kind: "configured", key },
    };
  };
  return (provider, model) => {
    const id = `${(provider ?? "").toLowerCase()}/${model ?? ""}`;
    let entry = configured.get(id);
    if (entry === undefined) {
      entry = fromConfig(id);
      if (configured.size < 1024) configured.set(id, entry);
    }
    if (entry) return entry;
    const measured = provider && model ? probed(provider, model) : undefined;
    if (!measured) return defaults;
    return {
      geometry: {
        minTokens: measured.minTokens,
        stepTokens: measured.stepTokens,
        ttlMs: measured.ttlMs ?? defaults.geometry.ttlMs,
        plateauTokens: measured.plateauTokens,
        readyDelayMs: measured.readyDelayMs,
      },
      source: { kind: "probed", probedAt: measured.probedAt },
    };
  };
}

/** The geometry alone, for the accounting. */
export function geometryLookup(config: GeometryConfig, probed?: ProbedLookup): GeometryLookup {
  const resolve = geometryResolver(config, probed);
  return (provider, model) => resolve(provider, model).geometry;
}

const matchLength = (key: string): number => (key.endsWith("*") ? key.length - 1 : key.length);
