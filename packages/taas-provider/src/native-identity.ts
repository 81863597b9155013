import {
  callAgentId,
  MAX_CALL_ID_LENGTH,
  pinnedSessionId,
} from "@cloudsigma/taas-core/call-identity";
import { OPTIMIZER_PLUGIN_ID } from "@cloudsigma/taas-core/contracts/plugin-ids";
import { isDecorated, markDecorated } from "@cloudsigma/taas-core/contracts/stream-decorators";
import { mergeHeadersCallerWins, sanitizeHeaderValue } from "@cloudsigma/taas-core/header-value";
import { isRecord } from "@cloudsigma/taas-core/records";
import type { ProviderWrapStreamFnContext } from "openclaw/plugin-sdk/plugin-entry";
import { PLUGIN_ID } from "./identity.ts";

/**
 * The identity this provider sends itself on a call the token-cache optimizer did not decorate:
 * the optimizer is not installed, leaves `cloudsigma` out of its `providers`, or is not loaded
 * in this process (the host loads only the provider's owner for `infer model run --local`).
 * TaaS trusts an affinity id only together with an agent id and otherwise routes each call as
 * a new session (`fallback_reason=missing_agent_and_session`), so both always go together:
 *
 * - session id: the id the caller pinned in config params (`metadata.session_id`, else
 *   `sticky_key`), else the host's own session id for the call (one per conversation: a tool
 *   follow-up, retry or compaction of that conversation carries the same), else, for the
 *   host's standalone completions, which have none, one id for this process;
 * - agent id: the host's, else the owner the config names, else `main` (core call-identity.ts).
 *
 * Sent as `X-Session-Id`, `X-OpenClaw-Session-Id`, `X-OpenClaw-Agent-Id` and this plugin's
 * `X-OpenClaw-Plugin-Version`, with `metadata.session_id` and `sticky_key` in the body. The
 * caller's headers and metadata keys win. Nothing is sent when the operator set the optimizer
 * to observe only (`sendHints: false`): they asked that TaaS see no identity from the suite.
 */

type StreamFn = NonNullable<ProviderWrapStreamFnContext["streamFn"]>;

const NATIVE_IDENTITY_ID = `${PLUGIN_ID}.native-identity`;

export interface NativeIdentityDeps {
  /** This plugin's package version, for `X-OpenClaw-Plugin-Version`. */
  pluginVersion: string;
  /** The id of calls the host sends without a session id: one per process (runtime.ts). */
  processSessionId: () => string;
}

export function withNativeIdentity(
  streamFn: StreamFn,
  ctx: ProviderWrapStreamFnContext,
  deps: NativeIdentityDeps,
): StreamFn {
  if (isDecorated(streamFn, NATIVE_IDENTITY_ID) || optimizerObservesOnly(ctx.config))
    return streamFn;
  const agentId = callAgentId(ctx.agentId, ctx.config).id;
  const pinned = pinnedSessionId(ctx.extraParams?.metadata);
  const identified: StreamFn = (model, context, options) => {
    const sessionId =
      pinned ??
      sanitizeHeaderValue(options?.sessionId, MAX_CALL_ID_LENGTH) ??
      deps.processSessionId();
    const ours = {
      "X-Session-Id": sessionId,
      "X-OpenClaw-Session-Id": sessionId,
      "X-OpenClaw-Agent-Id": agentId,
      "X-OpenClaw-Plugin-Version": deps.pluginVersion,
    };
    return streamFn(model, context, {
      ...options,
      headers: mergeHeadersCallerWins(ours, options?.headers),
      onPayload: async (payload, payloadModel) => {
        const result = (await options?.onPayload?.(payload, payloadModel)) ?? payload;
        return addSessionMetadata(result, sessionId);
      },
    });
  };
  return markDecorated(identified, NATIVE_IDENTITY_ID);
}

/** `metadata.session_id` and `sticky_key` where the body has none; any other shape untouched. */
function addSessionMetadata(payload: unknown, sessionId: string): unknown {
  if (!isRecord(payload)) return payload;
  const existing = payload.metadata;
  if (existing !== undefined && existing !== null && !isRecord(existing)) return payload;
  const metadata: Record<string, unknown> = { ...existing };
  for (const key of ["session_id", "sticky_key"])
    if (!Object.hasOwn(metadata, key)) metadata[key] = sessionId;
  payload.metadata = metadata;
  return payload;
}

/** Whether the host's config turns the optimizer on with `sendHints: false` (observe only). */
function optimizerObservesOnly(config: unknown): boolean {
  const plugins = isRecord(config) ? config.plugins : undefined;
  const entries = isRecord(plugins) ? plugins.entries : undefined;
  const entry = isRecord(entries) ? entries[OPTIMIZER_PLUGIN_ID] : undefined;
  if (!isRecord(entry) || entry.enabled === false) return false;
  return isRecord(entry.config) && entry.config.sendHints === false;
}
