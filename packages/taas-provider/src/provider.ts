import { applyStreamDecorators } from "@cloudsigma/taas-core/stream-decorators";
import type { ProviderPlugin, ProviderWrapStreamFnContext } from "openclaw/plugin-sdk/plugin-entry";
import { createProviderApiKeyAuthMethod } from "openclaw/plugin-sdk/provider-auth";
import { buildProviderReplayFamilyHooks } from "openclaw/plugin-sdk/provider-model-shared";
import { buildProviderToolCompatFamilyHooks } from "openclaw/plugin-sdk/provider-tools";
import {
  AUTH,
  DEFAULT_MODEL_REF,
  PROVIDER_ALIAS,
  PROVIDER_ID,
  PROVIDER_LABEL,
} from "./identity.ts";
import { applyOnboardingConfig } from "./onboard.ts";
import { type CatalogDeps, createCatalogRun, createStaticCatalogRun } from "./provider-catalog.ts";
import { resolveThinkingProfile } from "./thinking-policy.ts";

type StreamFn = NonNullable<ReturnType<NonNullable<ProviderPlugin["wrapStreamFn"]>>>;

/**
 * The `cloudsigma` provider: API-key auth, the catalog hooks, and the OpenAI-compatible
 * replay and tool-schema families (TaaS speaks chat completions for every route it serves).
 * The host consults only the owning plugin's `wrapStreamFn` for a provider id, so this one
 * applies the stream decorators other suite plugins publish (the token-cache optimizer's
 * affinity metadata); with none published the host's stream is used unchanged.
 */
export function buildProvider(deps: CatalogDeps): ProviderPlugin {
  return {
    id: PROVIDER_ID,
    label: PROVIDER_LABEL,
    aliases: [PROVIDER_ALIAS],
    envVars: [AUTH.envVar],
    auth: [
      createProviderApiKeyAuthMethod({
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
        applyConfig: (config) => applyOnboardingConfig(config, deps.settings().baseUrl),
        wizard: {
          choiceId: AUTH.choiceId,
          choiceLabel: AUTH.choiceLabel,
          groupId: PROVIDER_ID,
          groupLabel: PROVIDER_LABEL,
          methodId: AUTH.methodId,
          onboardingScopes: ["text-inference"],
        },
      }),
    ],
    catalog: { order: "simple", run: createCatalogRun(deps) },
    staticCatalog: { order: "simple", run: createStaticCatalogRun(deps) },
    resolveThinkingProfile,
    wrapStreamFn: (ctx) => applyStreamDecorators<ProviderWrapStreamFnContext, StreamFn>(ctx),
    ...buildProviderReplayFamilyHooks({ family: "openai-compatible" }),
    ...buildProviderToolCompatFamilyHooks("openai"),
  };
}
