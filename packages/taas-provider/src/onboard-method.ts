import { errorText } from "@cloudsigma/taas-core/error-text";
import type {
  OpenClawConfig,
  ProviderAuthMethod,
  ProviderAuthResult,
} from "openclaw/plugin-sdk/plugin-entry";
import { createProviderApiKeyAuthMethod } from "openclaw/plugin-sdk/provider-auth";
import { onboardingBaseUrl } from "./base-url.ts";
import { parseProviderConfig, type TaasProviderConfig } from "./config.ts";
import { type DiscoveryRequest, type DiscoveryResult, discoverModels } from "./discovery.ts";
import {
  AUTH,
  DEFAULT_MODEL_REF,
  PLUGIN_ID,
  PROVIDER_ALIAS,
  PROVIDER_ID,
  PROVIDER_LABEL,
} from "./identity.ts";
import { applyOnboardingConfig } from "./onboard.ts";
import { type DiscoverySkipped, onboardingNotes } from "./onboard-notes.ts";
import type { PublishPrices } from "./provider-catalog.ts";
import { redactSecret } from "./redact.ts";

/**
 * The API-key onboarding choice. The host's helper captures and stores the key; this adds what
 * onboarding owes the operator with that key in hand: one read of `<baseUrl>/models` with it, so
 * the catalog rows written hold the routes and the prices the gateway lists (the host runs no
 * live discovery for an endpoint other than the plugin's declared one), the listed prices saved
 * for the usage ledger too (the gateway-prices seam), and a short report of what was written.
 */

export interface OnboardingDeps {
  settings: () => TaasProviderConfig;
  discover?: (request: DiscoveryRequest) => Promise<DiscoveryResult>;
  /** Hands listed prices to the usage ledger (the gateway-prices seam). */
  publishPrices?: PublishPrices;
}

export interface OnboardedConfig {
  config: OpenClawConfig;
  notes: string[];
}

/** Onboarding's config for `config`, having read the model list with `apiKey` when it can. */
export async function onboardWithKey(
  config: OpenClawConfig,
  apiKey: string | undefined,
  deps: OnboardingDeps,
  signal?: AbortSignal,
): Promise<OnboardedConfig> {
  const settings = settingsIn(config, deps);
  const { baseUrl, replaced } = onboardingBaseUrl(config, settings.baseUrl);
  let discovery: DiscoveryResult | DiscoverySkipped;
  if (!settings.discovery) discovery = "discovery-off";
  else if (!apiKey) discovery = "no-plain-key";
  else {
    discovery = await (deps.discover ?? discoverModels)({
      baseUrl,
      apiKey,
      timeoutMs: settings.discoveryTimeoutMs,
      ...(signal ? { signal } : {}),
    });
  }
  const listing = typeof discovery === "object" && discovery.ok ? discovery : undefined;
  const { config: next, rows } = applyOnboardingConfig(config, {
    baseUrl,
    live: listing?.models,
    prices: listing?.prices,
  });
  const notes = onboardingNotes({ baseUrl, replaced, discovery, rows });
  if (listing && deps.publishPrices) {
    // The host builds no live catalog for an endpoint but the production gateway: this is how
    // such an endpoint's listing reaches the ledger.
    await deps.publishPrices([PROVIDER_ID, PROVIDER_ALIAS], listing.prices).catch((error) => {
      notes.push(
        `${PLUGIN_ID}: onboarding could not save the listed prices for the usage ledger (${errorText(error)}); the rows it wrote carry them`,
      );
    });
  }
  return { config: next, notes: notes.map((note) => redactSecret(note, apiKey)) };
}

export function buildApiKeyAuthMethod(deps: OnboardingDeps): ProviderAuthMethod {
  const base = createProviderApiKeyAuthMethod({
    providerId: PROVIDER_ID,
    methodId: AUTH.methodId,
    label: AUTH.choiceLabel,
    hint: "One key for every CloudSigma TaaS model route",
    optionKey: AUTH.optionKey,
    flagName: AUTH.cliFlag,
    envVar: AUTH.envVar,
    promptMessage: `Enter your ${AUTH.choiceLabel}`,
    defaultModel: DEFAULT_MODEL_REF,
    expectedProviders: [PROVIDER_ID, PROVIDER_ALIAS],
    wizard: {
      choiceId: AUTH.choiceId,
      choiceLabel: AUTH.choiceLabel,
      groupId: PROVIDER_ID,
      groupLabel: PROVIDER_LABEL,
      methodId: AUTH.methodId,
      onboardingScopes: ["text-inference"],
    },
  });
  const runNonInteractive = base.runNonInteractive;
  return {
    ...base,
    run: async (ctx) => {
      const result = await base.run(ctx);
      const onboarded = await onboardWithKey(ctx.config, plainKey(result), deps, ctx.signal);
      return {
        ...result,
        configPatch: onboarded.config,
        notes: [...(result.notes ?? []), ...onboarded.notes],
      };
    },
    ...(runNonInteractive
      ? {
          runNonInteractive: async (ctx) => {
            const stored = await runNonInteractive(ctx);
            if (!stored) return stored;
            // The same resolution the helper just made (flag, then env, then stored profile).
            const flag = ctx.opts[AUTH.optionKey];
            const resolved = await ctx.resolveApiKey({
              provider: PROVIDER_ID,
              ...(typeof flag === "string" ? { flagValue: flag } : {}),
              flagName: AUTH.cliFlag,
              envVar: AUTH.envVar,
            });
            const onboarded = await onboardWithKey(stored, resolved?.key, deps);
            for (const note of onboarded.notes) ctx.runtime.log(note);
            return onboarded.config;
          },
        }
      : {}),
  };
}

/** The key value of the stored profile; a key stored as a reference has none to send. */
function plainKey(result: ProviderAuthResult): string | undefined {
  for (const { credential } of result.profiles) {
    if (credential.type === "api_key" && credential.key?.trim()) return credential.key.trim();
  }
  return undefined;
}

function settingsIn(config: OpenClawConfig, deps: OnboardingDeps): TaasProviderConfig {
  try {
    return parseProviderConfig(config.plugins?.entries?.[PLUGIN_ID]?.config);
  } catch {
    return deps.settings();
  }
}
