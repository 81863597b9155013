import type {
  OpenClawConfig,
  ProviderCatalogContext,
  ProviderCatalogResult,
} from "openclaw/plugin-sdk/plugin-entry";
import { parseProviderConfig, type TaasProviderConfig } from "./config.ts";
import type { ProviderConfig } from "./model-types.ts";
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
