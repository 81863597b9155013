import type { ProviderWrapStreamFnContext } from "openclaw/plugin-sdk/plugin-entry";
import { PING_MAX_TOKENS } from "./config.ts";
import type { PingAnswer } from "./pinger.ts";

/** The host's stream function, as its wrapper context names it (no internal import). */
type StreamFn = NonNullable<ProviderWrapStreamFnContext["streamFn"]>;
type StreamArgs = Parameters<StreamFn>;
type StreamOptions = NonNullable<StreamArgs[2]>;
type AssistantMessage = Awaited<ReturnType<Awaited<ReturnType<StreamFn>>["result"]>>;

/** A ping that has not answered within this is abandoned (and counts as failed). */
export const PING_TIMEOUT_MS = 60_000;

/** Request ids of pings: the stream wrapper does not follow a ping as a conversation request. */
export const PING_CALL_PREFIX = "keepwarm-";
export const isPingCall = (requestId: string | undefined): boolean =>
  requestId?.startsWith(PING_CALL_PREFIX) ?? false;

/** One ping request: whose conversation, which model, the prompt and the transport options. */
export interface PingRequest {
  agentId: string;
  provider: string;
  model: string;
  context: StreamArgs[1];
  options: StreamOptions;
}

/**
 * How a ping reaches the provider: the host's standalone completion (register.ts), which
 * resolves the agent's model and credentials the host's way and runs the provider hooks, this
 * plugin's affinity wrapper among them. A run's own stream function cannot be used: the host
 * refuses it once its run is over.
 */
export type PingTransport = (request: PingRequest) => Promise<AssistantMessage>;

/**
 * What a later ping needs of a request, taken when the request goes out: the prompt as sent
 * (the message list copied, since the host appends to it after the call) and the options that
 * decide its affinity id (the host session). `decorate` is the stream wrapper's own: the ping
 * gets the conversation's affinity id, headers and body metadata, and its route is captured
 * under its call id. Nothing secret is kept: the credentials are the host's, resolved when the
 * ping goes out.
 */
export function capturedResend(
  transport: PingTransport,
  call: { agentId: string; provider: string; model: string },
  context: StreamArgs[1],
  options: StreamOptions | undefined,
  decorate: (options: StreamOptions) => StreamOptions,
): (callId: string) => Promise<PingAnswer> {
  const prompt = { ...context, messages: [...context.messages] };
  const sessionId = options?.sessionId;
  return async (callId) => {
    const message = await transport({
      ...call,
      context: prompt,
      options: decorate({
        ...(sessionId !== undefined ? { sessionId } : {}),
        requestId: callId,
        maxTokens: PING_MAX_TOKENS,
        signal: AbortSignal.timeout(PING_TIMEOUT_MS),
      }),
    });
    if (message.stopReason === "error" || message.stopReason === "aborted")
      return { usage: message.usage, error: message.errorMessage ?? message.stopReason };
    return { usage: message.usage };
  };
}
