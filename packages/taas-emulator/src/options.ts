import { DEFAULT_CATALOG } from "./catalog.ts";
import type { EmulatorOptions, ResolvedOptions } from "./types.ts";

export const DEFAULT_API_KEY = "taas-emulator-key";

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
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
  };
  requireInteger("replicas", resolved.replicas, 1);
  requireInteger("cacheCapacityBlocks", resolved.cacheCapacityBlocks, 1);
  requireInteger("minCacheTokens", resolved.minCacheTokens, 1);
  requireInteger("cacheStepTokens", resolved.cacheStepTokens, 1);
  requireInteger("recordLimit", resolved.recordLimit, 0);
  requireInteger("maxBodyBytes", resolved.maxBodyBytes, 1);
  requireInteger("cacheTtlMs", resolved.cacheTtlMs, 0);
  requireInteger("modelsDelayMs", resolved.modelsDelayMs, 0);
  requireInteger("chatLatencyMs", resolved.chatLatencyMs, 0);
  return resolved;
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `taas-emulator: option ${name} must be an integer >= ${min}, got ${value}`,
    );
  }
}
