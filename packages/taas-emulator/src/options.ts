import { DEFAULT_CATALOG } from "./catalog.ts";
import { DEFAULT_PROFILE, ruleOptions } from "./profiles.ts";
import {
  AFFINITY_BINDINGS,
  EMULATOR_PROFILES,
  type EmulatorOptions,
  KEY_ORDERS,
  KEYLESS_ROUTINGS,
  type ResolvedOptions,
  SLOT_OVERFLOWS,
} from "./types.ts";

export const DEFAULT_API_KEY = "taas-emulator-key";
/** The PRNG state is 32 bits wide. */
export const MAX_SEED = 0xffff_ffff;
const MIN_HISTORY_TTL_MS = 3_600_000;
const HISTORY_CAPACITY_FACTOR = 4;
/** Fixed so that two runs of the same script see the same keyless picks. */
export const DEFAULT_KEYLESS_SEED = 1;

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const profile = options.profile ?? DEFAULT_PROFILE;
  requireOneOf("profile", profile, EMULATOR_PROFILES);
  const resolved: ResolvedOptions = {
    profile,
    ...ruleOptions(options, profile),
    apiKey: options.apiKey ?? DEFAULT_API_KEY,
    replicas: options.replicas ?? 4,
    cacheTtlMs: options.cacheTtlMs ?? 300_000,
    cacheCapacityBlocks: options.cacheCapacityBlocks ?? 20_000,
    minCacheTokens: options.minCacheTokens ?? 1024,
    cacheStepTokens: options.cacheStepTokens ?? 128,
    now: options.now ?? Date.now,
    maxBodyBytes: options.maxBodyBytes ?? 8 * 1024 * 1024,
    recordLimit: options.recordLimit ?? 500,
    anthropicUsage: options.anthropicUsage ?? false,
    models: options.models ?? DEFAULT_CATALOG,
    modelsFault: options.modelsFault,
    modelsListing: options.modelsListing ?? "taas",
    modelsDelayMs: options.modelsDelayMs ?? 10_000,
    redirectTo: options.redirectTo ?? "http://169.254.169.254/latest/v1/models",
    chatLatencyMs: options.chatLatencyMs ?? 0,
    keylessSeed: options.keylessSeed ?? DEFAULT_KEYLESS_SEED,
    historyTtlMs: 0,
    historyCapacityBlocks: 0,
  };
  // Outlives the caches by far, so a prefix that expired is still known to have been sent.
  resolved.historyTtlMs =
    options.historyTtlMs ?? Math.max(MIN_HISTORY_TTL_MS, 12 * resolved.cacheTtlMs);
  // Several times what the whole fleet of replica caches holds, so that what a full replica
  // evicted is still known to have been sent.
  resolved.historyCapacityBlocks =
    options.historyCapacityBlocks ??
    HISTORY_CAPACITY_FACTOR * resolved.replicas * resolved.cacheCapacityBlocks;
  for (const [name, bounds] of Object.entries(INTEGER_OPTIONS) as Array<
    [keyof typeof INTEGER_OPTIONS, number | readonly [number, number]]
  >) {
    const [min, max] = typeof bounds === "number" ? [bounds, Number.MAX_SAFE_INTEGER] : bounds;
    requireInteger(name, resolved[name], min, max);
  }
  if (resolved.cachePlateauTokens > 0 && resolved.cachePlateauTokens < resolved.minCacheTokens) {
    throw new RangeError(
      `taas-emulator: option cachePlateauTokens must be 0 or at least minCacheTokens (${resolved.minCacheTokens}), got ${resolved.cachePlateauTokens}`,
    );
  }
  requireOneOf("keylessRouting", resolved.keylessRouting, KEYLESS_ROUTINGS);
  requireOneOf("keyOrder", resolved.keyOrder, KEY_ORDERS);
  requireOneOf("affinityBinding", resolved.affinityBinding, AFFINITY_BINDINGS);
  requireOneOf("slotOverflow", resolved.slotOverflow, SLOT_OVERFLOWS);
  return resolved;
}

/** Each whole-number option's least value, or its [least, greatest] where it has a ceiling. */
const INTEGER_OPTIONS = {
  replicas: 1,
  cacheCapacityBlocks: 1,
  minCacheTokens: 1,
  cacheStepTokens: 1,
  recordLimit: 0,
  maxBodyBytes: 1,
  cacheTtlMs: 0,
  modelsDelayMs: 0,
  chatLatencyMs: 0,
  keylessSeed: [0, MAX_SEED],
  historyTtlMs: 0,
  historyCapacityBlocks: 1,
  slotMaxConcurrent: 0,
  slotRequestsPerMinute: 0,
  cachePlateauTokens: 0,
  cacheReadyDelayMs: 0,
} as const;

function requireOneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value === "string" && allowed.includes(value)) return;
  throw new RangeError(
    `taas-emulator: option ${name} must be one of ${allowed.join(", ")}, got ${String(value).slice(0, 40)}`,
  );
}

function requireInteger(
  name: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new RangeError(`taas-emulator: option ${name} must be an integer ${range}, got ${value}`);
  }
}
