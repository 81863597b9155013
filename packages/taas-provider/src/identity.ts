import { TAAS_PROVIDER_PLUGIN_ID } from "@cloudsigma/taas-core/contracts/plugin-ids";

/**
 * Who this plugin is to the host: ids, labels, the auth flag and env var, the default route.
 * The manifest (openclaw.plugin.json) repeats these for pre-runtime surfaces; a unit test keeps
 * the two in step.
 */

/** Named by the stream-decorator and gateway-prices seams, so it is declared with them. */
export const PLUGIN_ID = TAAS_PROVIDER_PLUGIN_ID;
export const PROVIDER_ID = "cloudsigma";
export const PROVIDER_ALIAS = "cloudsigma-taas";
export const PROVIDER_LABEL = "CloudSigma TaaS";

export const DEFAULT_BASE_URL = "https://taas.cloudsigma.com/v1";
export const PROVIDER_API = "openai-completions";

export const DEFAULT_MODEL_ID = "gpt-5.5";
export const DEFAULT_MODEL_REF = `${PROVIDER_ID}/${DEFAULT_MODEL_ID}`;
/** The friendly name onboarding gives the default model in `agents.defaults.models`. */
export const DEFAULT_MODEL_ALIAS = "CloudSigma TaaS";

/** How an operator hands over the key: the env var, and the onboarding choice and CLI flag. */
export const AUTH = {
  envVar: "CLOUDSIGMA_API_KEY",
  methodId: "api-key",
  choiceId: "cloudsigma-api-key",
  choiceLabel: "CloudSigma TaaS API key",
  optionKey: "cloudsigmaApiKey",
  cliFlag: "--cloudsigma-api-key",
} as const;
