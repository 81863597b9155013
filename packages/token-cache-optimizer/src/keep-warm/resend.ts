import type { ProviderWrapStreamFnContext } from "openclaw/plugin-sdk/plugin-entry";
import { PING_MAX_TOKENS } from "./config.ts";
import type { PingAnswer } from "./pinger.ts";

/** The host's stream function, as its wrapper context names it (no internal import). */
type StreamFn = NonNullable<ProviderWrapStreamFnContext["streamFn"]>;
type StreamArgs = Parameters<StreamFn>;
type StreamOptions = NonNullable<StreamArgs[2]>;

/** A ping that has not answered within this is abandoned (and counts as failed). */
export const PING_TIMEOUT_MS = 60_000;

/** Request ids of pings: the stream wrapper does not follow a ping as a conversation request. */
export const PING_CALL_PREFIX = "keepwarm-";
export const isPingCall = (requestId: string | undefined): boolean =>
  requestId?.startsWith(PING_CALL_PREFIX) ?? false;

/**
 * What a later ping needs of a request, taken when the request goes out: the host's own stream
 * function (its transport, base URL and credentials), the model, the prompt as sent (the
 * message list copied, since the host appends to it after the call) and the transport options
 * that shape the request. The host's per-run callbacks (payload, response, abort signal) and
 * the reasoning settings (a thinking budget larger than the ping's output is refused) are left
 * out. Held in memory only, never logged: the options carry the API key.
 */
export function capturedResend(
  send: StreamFn,
  model: StreamArgs[0],
  context: StreamArgs[1],
  options: StreamOptions | undefined,
): (callId: string) => Promise<PingAnswer> {
  const prompt = { ...context, messages: [...context.messages] };
  const kept: StreamOptions = {
    ...(options?.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options?.transport !== undefined ? { transport: options.transport } : {}),
    ...(options?.cacheRetention !== undefined ? { cacheRetention: options.cacheRetention } : {}),
    ...(options?.sessionId !== undefined ? { sessionId: options.sessionId } : {}),
    ...(options?.promptCacheKey !== undefined ? { promptCacheKey: options.promptCacheKey } : {}),
    ...(options?.headers !== undefined ? { headers: { ...options.headers } } : {}),
    ...(options?.serviceTier !== undefined ? { serviceTier: options.serviceTier } : {}),
  };
  return async (callId) => {
    const stream = await send(model, prompt, {
      ...kept,
      requestId: callId,
      maxTokens: PING_MAX_TOKENS,
      signal: AbortSignal.timeout(PING_TIMEOUT_MS),
    });
    const message = await stream.result();
    if (message.stopReason === "error" || message.stopReason === "aborted")
      return { usage: message.usage, error: message.errorMessage ?? message.stopReason };
    return { usage: message.usage };
  };
}
