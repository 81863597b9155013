import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { resolveBaseUrl } from "./base-url.ts";
import { mergeCatalog } from "./catalog-merge.ts";
import { DEFAULT_MODEL_ALIAS, DEFAULT_MODEL_REF, PROVIDER_API, PROVIDER_ID } from "./identity.ts";
import { staticModels } from "./seed-catalog.ts";

/**
 * The config onboarding writes after the key is stored: the static catalog under
 * `models.providers.cloudsigma` (keeping an endpoint override and any rows the operator
 * authored), and the friendly alias `CloudSigma TaaS` on the default model. The key itself is
 * not here: the host's auth-profile store keeps it.
 */
export function applyOnboardingConfig(
  config: OpenClawConfig,
  pluginBaseUrl?: string | undefined,
): OpenClawConfig {
  const providers = { ...config.models?.providers };
  const existing = providers[PROVIDER_ID];
  const authored = Array.isArray(existing?.models) ? existing.models : [];
  providers[PROVIDER_ID] = {
    ...existing,
    baseUrl: resolveBaseUrl(config, pluginBaseUrl),
    api: existing?.api ?? PROVIDER_API,
    // Authored rows win over the seed rows of the same id: the operator's edit is deliberate.
    models: mergeCatalog(authored, staticModels()),
  };
  const agentModels = { ...config.agents?.defaults?.models };
  const current = agentModels[DEFAULT_MODEL_REF];
  agentModels[DEFAULT_MODEL_REF] = { ...current, alias: current?.alias ?? DEFAULT_MODEL_ALIAS };
  return {
    ...config,
    models: { ...config.models, providers },
    agents: {
      ...config.agents,
      defaults: { ...config.agents?.defaults, models: agentModels },
    },
  };
}
