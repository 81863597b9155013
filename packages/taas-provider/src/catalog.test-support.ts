import { type RunningEmulator, type StartOptions, startEmulator } from "@cloudsigma/taas-emulator";
import type {
  OpenClawConfig,
  ProviderCatalogContext,
  ProviderCatalogResult,
} from "openclaw/plugin-sdk/plugin-entry";
import { parseProviderConfig, type TaasProviderConfig } from "./config.ts";
import { catalogCost } from "./listed-prices.ts";
import type { ModelDefinition, ProviderConfig } from "./model-types.ts";
import type { CatalogLogger } from "./provider-catalog.ts";

/** The catalog context the host passes, reduced to what the hooks read. */
export function catalogContext(
  options: { apiKey?: string; config?: OpenClawConfig; providerIds?: string[] } = {},
): ProviderCatalogContext {
  const { apiKey } = options;
  return {
    config: options.config ?? {},
    env: {},
    ...(options.providerIds ? { providerIds: options.providerIds } : {}),
    resolveProviderApiKey: () => ({ apiKey }),
    resolveProviderAuth: () =>
      apiKey
        ? { apiKey, mode: "api_key", source: "env" }
        : { apiKey: undefined, mode: "none", source: "none" },
  };
}

export function settingsFor(raw: Record<string, unknown> = {}): () => TaasProviderConfig {
  const settings = parseProviderConfig(raw);
  return () => settings;
}

export interface CapturedLogger extends CatalogLogger {
  readonly warnings: string[];
}

export function captureLogger(): CapturedLogger {
  const warnings: string[] = [];
  return { warnings, warn: (message) => warnings.push(message) };
}

/** The `provider` of a catalog result, or a thrown error naming what came back instead. */
export function requireProvider(result: ProviderCatalogResult): ProviderConfig {
  if (!result || !("provider" in result)) {
    throw new Error(`expected a single-provider catalog result, got ${JSON.stringify(result)}`);
  }
  return result.provider;
}

/** Emulators a test file starts with its key; `closeAll` (in afterEach) stops every one. */
export function emulators(apiKey: string) {
  const started: RunningEmulator[] = [];
  return {
    async start(options: StartOptions = {}): Promise<RunningEmulator> {
      const running = await startEmulator({ apiKey, ...options });
      started.push(running);
      return running;
    },
    closeAll: () => Promise.all(started.splice(0).map((running) => running.close())),
  };
}

/** A text-only model row, as discovery writes one (unpriced); tests override what they vary. */
export function textRow(id: string, overrides: Partial<ModelDefinition> = {}): ModelDefinition {
  return {
    id,
    name: id,
    reasoning: false,
    input: ["text"],
    cost: catalogCost(undefined),
    contextWindow: 32_000,
    maxTokens: 4_096,
    ...overrides,
  };
}
