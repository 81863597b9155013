import { callAgentId } from "@cloudsigma/taas-core/call-identity";
import {
  AFFINITY_DECORATOR,
  isDecorated,
  markDecorated,
} from "@cloudsigma/taas-core/contracts/stream-decorators";
import { mergeHeadersCallerWins } from "@cloudsigma/taas-core/header-value";
import type { ProviderWrapStreamFnContext } from "openclaw/plugin-sdk/plugin-entry";
import {
  type AffinityIdentity,
  callerPinnedIdentity,
  deriveAffinityIdentity,
  hostSessionIdentity,
  shardIdentity,
} from "./affinity-id.ts";
import { type AutorouterPreferences, algorithmForCall } from "./autorouter-preferences.ts";
import type { CaptureWriter } from "./capture-writer.ts";
import type { OptimizerConfig } from "./config.ts";
import { type AffinityMetadata, buildAffinityMetadata } from "./envelope.ts";
import { buildAffinityHeaders } from "./headers.ts";
import type { KeepWarmPinger } from "./keep-warm/pinger.ts";
import { capturedResend, isPingCall, type PingTransport } from "./keep-warm/resend.ts";
import { patchPayloadMetadata } from "./payload-patch.ts";
import type { RepoHints, RepoHintsCache } from "./repo-hints.ts";
import { captureFromResponse } from "./route-capture.ts";
import type { ShardBalancer } from "./shard-balancer.ts";
import type { TurnTracker } from "./turn-tracker.ts";

/** The host's stream function type, taken from the context it hands us (no internal import). */
export type StreamFn = NonNullable<ProviderWrapStreamFnContext["streamFn"]>;
type StreamOptions = NonNullable<Parameters<StreamFn>[2]>;
type StreamModel = Parameters<StreamFn>[0];

export interface AffinityRuntime {
  config: OptimizerConfig;
  env: NodeJS.ProcessEnv;
  stateDir: () => string;
  /** The install's id key (read once per process; see install-key.ts). */
  idKey: () => string;
  /** `host:` + keyed hash of the host name. */
  hostId: () => string;
  /** This plugin's package.json version, inlined by the bundler: no file is read per request. */
  pluginVersion: string;
  source: string;
  tracker: TurnTracker;
  repoHints: RepoHintsCache | undefined;
  writer: () => CaptureWriter | undefined;
  /** The operator's autorouter algorithm per session and agent (set by a gateway method). */
  preferences: AutorouterPreferences;
  /** The bounded scope's shard loads (process-wide); only read when the scope is `bounded`. */
  shards: () => ShardBalancer;
  debug: ((message: string) => void) | undefined;
  /** The keep-warm pinger, when `keepWarm.enabled`: told of each request (not of its own pings). */
  keepWarm?: (() => KeepWarmPinger) | undefined;
  /** How pings reach the provider (the host's standalone completion). */
  pingTransport?: PingTransport | undefined;
}

/**
 * `wrapStreamFn` (agent runs) and `wrapSimpleCompletionStreamFn` (the host's standalone
 * completions) for the configured providers: per model call it adds the affinity metadata to
 * the body (never overwriting the caller's), the affinity and correlation headers, and
 * captures the TaaS route from the response headers. Every call carries an affinity id and an
 * agent id together, since TaaS ignores one without the other (core call-identity.ts).
 * Everything that can be computed once per model preparation is computed here, outside the
 * per-request closure.
 */
export function createAffinityWrapper(runtime: AffinityRuntime) {
  const providers = new Set(runtime.config.providers);
  return function wrapAffinityStream(ctx: ProviderWrapStreamFnContext): StreamFn | undefined {
    const underlying = ctx.streamFn;
    if (!underlying || !providers.has(ctx.provider)) return underlying;
    // Applied once even if the host (or the provider plugin's seam) hands us our own wrapper.
    if (isDecorated(underlying, AFFINITY_DECORATOR.id)) return underlying;

    const key = runtime.idKey();
    const workspaceIdentity = deriveAffinityIdentity({
      key,
      workspaceDir: ctx.workspaceDir,
      env: runtime.env,
      stateDir: runtime.stateDir(),
    });
    // One id everywhere: the caller's pinned session_id, else its sticky_key, else ours. It goes
    // into the body's session_id and sticky_key, the headers and the route capture alike.
    const pinned = callerPinnedIdentity(ctx.extraParams?.metadata);
    const agent = callAgentId(ctx.agentId, ctx.config);
    const workspaceDir = ctx.workspaceDir;
    const metadataFor = memoizeMetadata(runtime, ctx, agent.id);
    runtime.debug?.(
      `session source=${workspaceIdentity.source} id=${workspaceIdentity.id} scope=${runtime.config.affinityScope} provider=${ctx.provider} model=${ctx.modelId} agent=${agent.id} (${agent.source})${pinned ? ` (caller pinned session id ${pinned.id})` : ""}`,
    );

    // The id the configured scope gives a call of host session `sessionId`.
    const scopedIdentity = (sessionId: string | undefined): AffinityIdentity => {
      switch (runtime.config.affinityScope) {
        case "session":
          return sessionId ? hostSessionIdentity(key, sessionId) : workspaceIdentity;
        case "bounded": {
          const choice = runtime.shards().route(workspaceIdentity.id, sessionId);
          if (choice.saturated) {
            runtime.debug?.(
              `every shard of ${workspaceIdentity.id} is at its bound; session joins the least-loaded, shard ${choice.shard}`,
            );
          }
          return shardIdentity(key, workspaceIdentity, choice.shard);
        }
        default:
          return workspaceIdentity;
      }
    };

    // One request's affinity id, headers, body metadata and route capture: an agent's request
    // and a keep-warm ping of its conversation are decorated alike (a ping keeps its shard).
    const decorate = (model: StreamModel, options: StreamOptions | undefined) => {
      const identity = pinned ?? scopedIdentity(options?.sessionId);
      const turn = runtime.tracker.observe(options?.requestId);
      const hints =
        workspaceDir && runtime.repoHints ? runtime.repoHints.peek(workspaceDir) : undefined;
      const metadata = metadataFor(identity, hints);
      // The body as sent, kept by reference only: its prefix is digested after the response.
      let sent: unknown;
      const send = runtime.config.sendHints;
      const algorithm = algorithmForCall({
        modelId: model.id,
        callerHeaders: options?.headers,
        send,
        choose: () =>
          runtime.preferences.choose(identity.id, agent.id, runtime.config.autorouterAlgorithm),
      });
      const next: StreamOptions = {
        ...options,
        headers: send
          ? mergeHeadersCallerWins(
              buildAffinityHeaders({
                affinityId: identity.id,
                turnId: turn.turnId,
                attempt: turn.attempt,
                agentId: agent.id,
                pluginVersion: runtime.pluginVersion,
                autorouterAlgorithm: algorithm?.algorithm,
              }),
              options?.headers,
            )
          : options?.headers,
        onPayload: async (payload, payloadModel) => {
          const result = (await options?.onPayload?.(payload, payloadModel)) ?? payload;
          sent = send ? patchPayloadMetadata(result, metadata) : result;
          return sent;
        },
        onResponse: async (response, responseModel) => {
          const capture = captureFromResponse(response, {
            affinityId: identity.id,
            // Found by workspaceDir too when the id is per session or pinned.
            ...(identity.id !== workspaceIdentity.id
              ? { workspaceAffinityId: workspaceIdentity.id }
              : {}),
            affinityShard: identity.shard,
            agentId: agent.id,
            callId: turn.callId,
            turnId: turn.turnId,
            attempt: turn.attempt,
            provider: model.provider,
            model: model.id,
            upstreamHeader: runtime.config.upstreamHeader,
            algorithm,
          });
          runtime.writer()?.enqueue(capture, sent);
          sent = undefined;
          runtime.debug?.(
            `captured route status=${capture.status} upstream=${capture.upstream ?? "-"} request=${capture.requestId ?? "-"} autorouted=${capture.autorouted}${capture.autorouterModel ? ` model=${capture.autorouterModel}` : ""}${algorithm ? ` algorithm=${algorithm.algorithm} (${algorithm.from})` : ""} session=${capture.affinityId}`,
          );
          await options?.onResponse?.(response, responseModel);
        },
      };
      return { identity, next };
    };
    const wrapped: StreamFn = (model, context, options) => {
      if (!providers.has(model.provider)) return underlying(model, context, options);
      const { identity, next } = decorate(model, options);
      if (runtime.keepWarm && runtime.pingTransport && !isPingCall(options?.requestId))
        runtime.keepWarm().observe({
          affinityId: identity.id,
          agentId: agent.id,
          sessionId: options?.sessionId ?? null,
          provider: model.provider,
          model: model.id,
          resend: capturedResend(
            runtime.pingTransport,
            { agentId: agent.id, provider: model.provider, model: model.id },
            context,
            options,
            (pingOptions) => decorate(model, pingOptions).next,
          ),
        });
      return underlying(model, context, next);
    };
    return markDecorated(wrapped, AFFINITY_DECORATOR.id);
  };
}

/** Builds the frozen metadata once per (identity, repo hints) pair instead of per request. */
function memoizeMetadata(
  runtime: AffinityRuntime,
  ctx: ProviderWrapStreamFnContext,
  agentId: string,
) {
  let last:
    | { identity: AffinityIdentity; hints: RepoHints | undefined; metadata: AffinityMetadata }
    | undefined;
  return (identity: AffinityIdentity, hints: RepoHints | undefined): AffinityMetadata => {
    if (last && last.identity.id === identity.id && last.hints === hints) return last.metadata;
    const metadata = buildAffinityMetadata({
      identity,
      hostId: runtime.hostId(),
      provider: ctx.provider,
      modelId: ctx.modelId,
      agentId,
      pluginVersion: runtime.pluginVersion,
      source: runtime.source,
      hints: runtime.config.repoHints ? hints : undefined,
    });
    last = { identity, hints, metadata };
    return metadata;
  };
}
