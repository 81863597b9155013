import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { DEFAULT_BASE_URL, PROVIDER_ALIAS, PROVIDER_ID } from "./identity.ts";

/**
 * The TaaS endpoint in effect: `models.providers.cloudsigma.baseUrl` (or the alias key) when the
 * operator set one (staging, the emulator on loopback), else the production gateway. This is
 * the same field the host's transport reads, so discovery and inference always agree.
 */
export function resolveBaseUrl(
  config: OpenClawConfig | undefined,
  pluginBaseUrl?: string | undefined,
): string {
  const providers = config?.models?.providers;
  for (const id of [PROVIDER_ID, PROVIDER_ALIAS]) {
    const baseUrl = providers?.[id]?.baseUrl;
    if (typeof baseUrl === "string" && baseUrl.trim() !== "") return baseUrl.trim();
  }
  const fromPlugin = pluginBaseUrl?.trim();
  return fromPlugin ? fromPlugin : DEFAULT_BASE_URL;
}
