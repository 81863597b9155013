import type { ProviderPlugin } from "openclaw/plugin-sdk/plugin-entry";
import { PROVIDER_ALIAS, PROVIDER_ID } from "./identity.ts";
import { AUTO_MODEL_ID } from "./seed-catalog.ts";

type ResolveThinkingProfile = NonNullable<ProviderPlugin["resolveThinkingProfile"]>;
type ThinkingProfile = NonNullable<ReturnType<ResolveThinkingProfile>>;

/**
 * Thinking levels on `cloudsigma/auto`: the host's ordinary ladder, but off unless the operator
 * asks. Left to itself the host gives a reasoning row `medium`, which on the autorouter would
 * send `reasoning_effort` on every call and so pin every request to the reasoning route (the
 * most expensive one); with `off` the autorouter picks by the request, and `--thinking <level>`
 * (or a configured default) is what sends it to the reasoning route. Other rows keep the host's
 * defaults (undefined).
 */
export const AUTO_THINKING_PROFILE: ThinkingProfile = {
  levels: [{ id: "off" }, { id: "minimal" }, { id: "low" }, { id: "medium" }, { id: "high" }],
  defaultLevel: "off",
};

export const resolveThinkingProfile: ResolveThinkingProfile = (ctx) => {
  const ours = ctx.provider === PROVIDER_ID || ctx.provider === PROVIDER_ALIAS;
  return ours && ctx.modelId === AUTO_MODEL_ID ? AUTO_THINKING_PROFILE : undefined;
};
