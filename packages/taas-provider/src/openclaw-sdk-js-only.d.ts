/**
 * Types for the two JS-only SDK subpaths this plugin uses (the host ships them without `.d.ts`).
 * Only the calls made here are declared, typed with the hook signatures of `ProviderPlugin`
 * from the typed `plugin-entry` subpath, so a host change to those hooks still fails `tsc`.
 */
declare module "openclaw/plugin-sdk/provider-model-shared" {
  import type { ProviderPlugin } from "openclaw/plugin-sdk/plugin-entry";
  export function buildProviderReplayFamilyHooks(options: {
    family: "openai-compatible";
  }): Pick<ProviderPlugin, "buildReplayPolicy">;
}

declare module "openclaw/plugin-sdk/provider-tools" {
  import type { ProviderPlugin } from "openclaw/plugin-sdk/plugin-entry";
  export function buildProviderToolCompatFamilyHooks(
    family: "openai",
  ): Pick<ProviderPlugin, "normalizeToolSchemas" | "inspectToolSchemas">;
}
