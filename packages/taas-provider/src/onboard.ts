import type { ModelPrices } from "@cloudsigma/taas-core/usage/model-prices";
import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { mergeCatalog } from "./catalog-merge.ts";
import {
  DEFAULT_MODEL_ALIAS,
  DEFAULT_MODEL_REF,
  PLUGIN_ID,
  PROVIDER_API,
  PROVIDER_ID,
} from "./identity.ts";
import { withListedPrices } from "./listed-prices.ts";
import type { ModelDefinition } from "./model-types.ts";
import { readMarks, storedMarks, writeMarks } from "./onboard-marks.ts";
import { mergeOnboardedRows, type OnboardedRows } from "./onboard-rows.ts";
import { staticModels } from "./seed-catalog.ts";

/**
 * The config onboarding writes after the key is stored: the endpoint and the catalog rows under
 * `models.providers.cloudsigma` (the static catalog plus the routes `/models` listed, every row
 * with the prices the listing states, merged with the operator's rows as onboard-rows.ts says),
 * the marks that tell its rows apart next time (`plugins.entries.cloudsigma.config.onboardedRows`),
 * and the friendly alias `CloudSigma TaaS` on the default model. The key itself is not here: the
 * host's auth-profile store keeps it.
 */

export interface OnboardingInput {
  /** The endpoint to write (see `onboardingBaseUrl`). */
  baseUrl: string;
  /** The chat routes the gateway listed, or undefined when the list was not read. */
  live?: readonly ModelDefinition[] | undefined;
  /**
   * The prices the listing states, by model id. The static rows carry none of their own, and
   * the host reads no live catalog for an endpoint other than the production gateway, so these
   * rows are where the host (and the usage ledger) find a listed price.
   */
  prices?: ReadonlyMap<string, ModelPrices> | undefined;
}

export interface OnboardingOutput {
  config: OpenClawConfig;
  rows: OnboardedRows;
}

export function applyOnboardingConfig(
  config: OpenClawConfig,
  input: OnboardingInput,
): OnboardingOutput {
  const providers = { ...config.models?.providers };
  const existing = providers[PROVIDER_ID];
  const entry = config.plugins?.entries?.[PLUGIN_ID];
  const rows = mergeOnboardedRows({
    existing: Array.isArray(existing?.models) ? existing.models : [],
    marks: readMarks(storedMarks(entry?.config?.onboardedRows)),
    current: currentRows(input),
    listed: input.live !== undefined,
  });
  providers[PROVIDER_ID] = {
    ...existing,
    baseUrl: input.baseUrl,
    api: existing?.api ?? PROVIDER_API,
    models: rows.models,
  };
  const { onboardedRows: _previous, ...pluginConfig } = entry?.config ?? {};
  const marks = writeMarks(rows.marks);
  const agentModels = { ...config.agents?.defaults?.models };
  const current = agentModels[DEFAULT_MODEL_REF];
  agentModels[DEFAULT_MODEL_REF] = { ...current, alias: current?.alias ?? DEFAULT_MODEL_ALIAS };
  const next: OpenClawConfig = {
    ...config,
    models: { ...config.models, providers },
    plugins: {
      ...config.plugins,
      entries: {
        ...config.plugins?.entries,
        [PLUGIN_ID]: {
          ...entry,
          config: { ...pluginConfig, ...(marks.length > 0 ? { onboardedRows: marks } : {}) },
        },
      },
    },
    agents: {
      ...config.agents,
      defaults: { ...config.agents?.defaults, models: agentModels },
    },
  };
  return { config: next, rows };
}

/** The rows onboarding would write today: the static catalog, listed prices filled in, then the listed routes. */
export function currentRows(input: Pick<OnboardingInput, "live" | "prices">): ModelDefinition[] {
  return mergeCatalog(
    withListedPrices(staticModels(), input.prices ?? new Map()),
    input.live ?? [],
  );
}
