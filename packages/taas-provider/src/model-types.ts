import type { ProviderCatalogResult } from "openclaw/plugin-sdk/plugin-entry";

/**
 * The host's `models.providers.<id>` entry and one of its model rows. The SDK exports them only
 * inside `ProviderCatalogResult`, so they are read from there rather than redeclared.
 */
export type ProviderConfig = Extract<
  NonNullable<ProviderCatalogResult>,
  { provider: unknown }
>["provider"];
export type ModelDefinition = ProviderConfig["models"][number];
export type ModelInput = ModelDefinition["input"][number];
