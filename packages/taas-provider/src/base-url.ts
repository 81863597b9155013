import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { DEFAULT_BASE_URL, PROVIDER_ALIAS, PROVIDER_ID } from "./identity.ts";

/**
 * Where the TaaS endpoint comes from. Two settings can name it: the host's provider entry
 * `models.providers.cloudsigma.baseUrl` (what the host's transport reads, so it decides where
 * requests go) and the plugin setting `plugins.entries.cloudsigma.config.baseUrl`. The rule:
 * - at run time the provider entry wins when it is set (discovery reads the same endpoint the
 *   requests go to); a plugin setting that differs is reported at gateway start;
 * - at onboarding the plugin setting wins when it is set: onboarding writes it into the
 *   provider entry and says which value it replaced. So changing the plugin setting and
 *   re-running onboarding is how an endpoint is changed.
 */

/** `models.providers.cloudsigma.baseUrl` (or the alias key's), when set. */
export function configuredProviderBaseUrl(config: OpenClawConfig | undefined): string | undefined {
  const providers = config?.models?.providers;
  for (const id of [PROVIDER_ID, PROVIDER_ALIAS]) {
    const baseUrl = providers?.[id]?.baseUrl;
    if (typeof baseUrl === "string" && baseUrl.trim() !== "") return baseUrl.trim();
  }
  return undefined;
}

/** The endpoint in effect at run time: the provider entry, else the plugin setting, else production. */
export function resolveBaseUrl(
  config: OpenClawConfig | undefined,
  pluginBaseUrl?: string | undefined,
): string {
  return configuredProviderBaseUrl(config) ?? (pluginBaseUrl?.trim() || DEFAULT_BASE_URL);
}

export interface OnboardingBaseUrl {
  baseUrl: string;
  /** The provider entry's previous value, when the plugin setting replaced a different one. */
  replaced?: string;
}

/** The endpoint onboarding writes: the plugin setting, else what is written already, else production. */
export function onboardingBaseUrl(
  config: OpenClawConfig | undefined,
  pluginBaseUrl: string | undefined,
): OnboardingBaseUrl {
  const written = configuredProviderBaseUrl(config);
  const fromPlugin = pluginBaseUrl?.trim();
  if (!fromPlugin) return { baseUrl: written ?? DEFAULT_BASE_URL };
  return written && !sameEndpoint(written, fromPlugin)
    ? { baseUrl: fromPlugin, replaced: written }
    : { baseUrl: fromPlugin };
}

/**
 * Two base URLs name the same endpoint, compared as the host compares a provider entry with a
 * plugin's declared catalog endpoint: scheme, host, port and path, case-insensitive, without
 * query, fragment or trailing slash.
 */
export function sameEndpoint(a: string, b: string): boolean {
  const left = endpointKey(a);
  return left !== undefined && left === endpointKey(b);
}

function endpointKey(value: string): string | undefined {
  const url = URL.parse(value.trim());
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) return undefined;
  url.search = "";
  url.hash = "";
  return url.toString().replace(/\/+$/, "").toLowerCase();
}
