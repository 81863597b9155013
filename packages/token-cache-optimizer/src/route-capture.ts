import type { RouteCapture } from "@cloudsigma/taas-core/contracts/route-store";
import { sanitizeHeaderValue } from "@cloudsigma/taas-core/header-value";
import { windowTokens } from "@cloudsigma/taas-core/token-window";
import type { AlgorithmChoice } from "./autorouter-preferences.ts";

/** The response headers TaaS uses to say where and how it routed a call (names lower-case). */
export const CAPTURED_HEADERS = {
  autorouted: "x-taas-autorouted",
  autorouterModel: "x-taas-autorouter-model",
  autorouterMode: "x-taas-autorouter-mode",
  autorouterAlgorithmSource: "x-taas-autorouter-algorithm-source",
  thinkingApplied: "x-taas-thinking-applied",
  routedContextWindow: "x-taas-routed-context-window",
  upstream: "x-taas-upstream",
  requestId: "x-request-id",
  traceId: "x-trace-id",
} as const;

export interface CaptureContext {
  affinityId: string;
  workspaceAffinityId?: string;
  affinityShard?: number;
  agentId?: string;
  callId?: string;
  turnId?: string;
  attempt: number;
  provider: string;
  model: string;
  /** The response header naming the replica that served the call (lower-case). */
  upstreamHeader?: string;
  /** The autorouter algorithm the call asked for, and whose preference it was. */
  algorithm?: AlgorithmChoice;
  now?: () => Date;
}

const header = (headers: Record<string, string>, name: string): string | undefined =>
  sanitizeHeaderValue(headers[name], 200);

const flag = (value: string | undefined): boolean | undefined =>
  value === undefined ? undefined : /^(true|1|yes)$/i.test(value);

/**
 * One bounded capture from a response's status and headers. The host calls `onResponse` for
 * accepted (2xx) responses only: a rejected call throws in its transport first, without headers.
 */
export function captureFromResponse(
  response: { status: number; headers: Record<string, string> },
  context: CaptureContext,
): RouteCapture {
  const headers = lowerCaseKeys(response.headers);
  // traceparent is W3C's trace id carrier: its second field is the trace id.
  const traceparent = header(headers, "traceparent")?.split("-")[1];
  const thinking = flag(header(headers, CAPTURED_HEADERS.thinkingApplied));
  return {
    capturedAt: (context.now?.() ?? new Date()).toISOString(),
    affinityId: context.affinityId,
    ...definedOnly({
      workspaceAffinityId: context.workspaceAffinityId,
      affinityShard: context.affinityShard,
      agentId: context.agentId,
      callId: context.callId,
      turnId: context.turnId,
    }),
    attempt: context.attempt,
    provider: context.provider,
    model: context.model,
    status: response.status,
    autorouted: flag(header(headers, CAPTURED_HEADERS.autorouted)) ?? false,
    ...definedOnly({
      upstream: header(
        headers,
        (context.upstreamHeader ?? CAPTURED_HEADERS.upstream).toLowerCase(),
      ),
      requestId: header(headers, CAPTURED_HEADERS.requestId),
      traceId: header(headers, CAPTURED_HEADERS.traceId) ?? traceparent,
      autorouterModel: header(headers, CAPTURED_HEADERS.autorouterModel),
      autorouterMode: header(headers, CAPTURED_HEADERS.autorouterMode),
      autorouterAlgorithmSource: header(headers, CAPTURED_HEADERS.autorouterAlgorithmSource),
      autorouterAlgorithm: context.algorithm?.algorithm,
      autorouterAlgorithmFrom: context.algorithm?.from,
      thinkingApplied: thinking,
      routedContextWindow: windowTokens(header(headers, CAPTURED_HEADERS.routedContextWindow)),
    }),
  };
}

/** Drops undefined values, so optional fields are absent rather than present-but-undefined. */
function definedOnly<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) out[key.toLowerCase()] = value;
  return out;
}
