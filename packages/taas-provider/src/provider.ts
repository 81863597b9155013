import {
  AFFINITY_DECORATOR,
  applyStreamDecorators,
  isDecorated,
} from "@cloudsigma/taas-core/contracts/stream-decorators";
import type { ProviderPlugin, ProviderWrapStreamFnContext } from "openclaw/plugin-sdk/plugin-entry";
import { buildProviderReplayFamilyHooks } from "openclaw/plugin-sdk/provider-model-shared";
import { buildProviderToolCompatFamilyHooks } from "openclaw/plugin-sdk/provider-tools";
import { AUTH, PROVIDER_ALIAS, PROVIDER_ID, PROVIDER_LABEL } from "./identity.ts";
import { type NativeIdentityDeps, withNativeIdentity } from "./native-identity.ts";
import { buildApiKeyAuthMethod, type OnboardingDeps } from "./onboard-method.ts";
import { type CatalogDeps, createCatalogRun, createStaticCatalogRun } from "./provider-catalog.ts";
import { watchRejectedKey } from "./rejected-key.ts";
import { resolveThinkingProfile } from "./thinking-policy.ts";

type StreamFn = NonNullable<ReturnType<NonNullable<ProviderPlugin["wrapStreamFn"]>>>;

/**
 * The `cloudsigma` provider: API-key auth, the catalog hooks, and the OpenAI-compatible
 * replay and tool-schema families (TaaS speaks chat completions for every route it serves).
 * The host consults only the owning plugin's stream hooks for a provider id, so this one
 * applies the stream decorators other suite plugins publish (the token-cache optimizer's
 * affinity metadata), on agent runs (`wrapStreamFn`) and on the host's standalone completions
 * (`wrapSimpleCompletionStreamFn`) alike. A call the optimizer did not decorate carries this
 * plugin's own session and agent ids (native-identity.ts), so TaaS never sees a call of the
 * suite without an identity. Either way a refused key is reported with its fix
 * (rejected-key.ts).
 */
export function buildProvider(
  deps: CatalogDeps & OnboardingDeps & { identity: NativeIdentityDeps },
): ProviderPlugin {
  const warnOnce = deps.warnOnce ?? ((_key: string, line: string) => deps.logger.warn(line));
  const decorate = (ctx: ProviderWrapStreamFnContext): StreamFn | undefined => {
    const streamFn = applyStreamDecorators<ProviderWrapStreamFnContext, StreamFn>(ctx);
    if (!streamFn) return streamFn;
    const identified = isDecorated(streamFn, AFFINITY_DECORATOR.id)
      ? streamFn
      : withNativeIdentity(streamFn, ctx, deps.identity);
    const report = (line: string) => warnOnce("rejected-key", line);
    return watchRejectedKey(identified, report);
  };
  return {
    id: PROVIDER_ID,
    label: PROVIDER_LABEL,
    aliases: [PROVIDER_ALIAS],
    envVars: [AUTH.envVar],
    auth: [buildApiKeyAuthMethod(deps)],
    catalog: { order: "simple", run: createCatalogRun(deps) },
    staticCatalog: { order: "simple", run: createStaticCatalogRun(deps) },
    resolveThinkingProfile,
    wrapStreamFn: decorate,
    wrapSimpleCompletionStreamFn: decorate,
    ...buildProviderReplayFamilyHooks({ family: "openai-compatible" }),
    ...buildProviderToolCompatFamilyHooks("openai"),
  };
}
