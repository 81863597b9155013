import { asRecord } from "./messages.ts";
import type { FallbackReason, KeylessRouting, KeyOrder, RoutingSource } from "./types.ts";

export type AffinitySource = Exclude<RoutingSource, KeylessRouting>;

export type RoutingKey = { key: string; source: AffinitySource } | { key: null; source: null };

/** The caller's identity as TaaS reads it, and whether TaaS uses it. */
export interface Identity {
  /** The affinity id TaaS honours, or null (a fresh session). */
  key: string | null;
  source: AffinitySource | null;
  agentId: string | null;
  fallbackReason: FallbackReason | null;
}

export interface IdentityRule {
  keyOrder: KeyOrder;
  requireAgentId: boolean;
}

/** CloudSigma's optimizer sends the agent id in this header and in the correlation envelope. */
export const AGENT_ID_HEADER = "x-openclaw-agent-id";

/**
 * The emulator's historic order (body first, then the header, then OpenAI's `prompt_cache_key`),
 * and TaaS's documented one (`X-Session-Id`, `metadata.session_id`, `metadata.sticky_key`; a copy
 * of TaaS's API docs quoted in the optimizer's README), which reads no `prompt_cache_key`.
 */
const KEY_SOURCES: Record<KeyOrder, readonly AffinitySource[]> = {
  emulator: ["metadata.session_id", "metadata.sticky_key", "x-session-id", "prompt_cache_key"],
  documented: ["x-session-id", "metadata.session_id", "metadata.sticky_key"],
};

function keyValue(value: unknown): string | null {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

function field(value: unknown, name: string): unknown {
  return asRecord(value)?.[name];
}

function sourceValue(source: AffinitySource, body: unknown, headers: Headers): unknown {
  const metadata = field(body, "metadata");
  switch (source) {
    case "metadata.session_id":
      return field(metadata, "session_id");
    case "metadata.sticky_key":
      return field(metadata, "sticky_key");
    case "x-session-id":
      return headers.get("x-session-id");
    case "prompt_cache_key":
      return field(body, "prompt_cache_key");
  }
}

/** Affinity key, the first present in `order`. */
export function extractRoutingKey(
  body: unknown,
  headers: Headers,
  order: KeyOrder = "emulator",
): RoutingKey {
  for (const source of KEY_SOURCES[order]) {
    const key = keyValue(sourceValue(source, body, headers));
    if (key !== null) return { key, source };
  }
  return { key: null, source: null };
}

/** `X-OpenClaw-Agent-Id`, else `metadata.openclaw_correlation.agent_id` (the header first: our choice). */
export function extractAgentId(body: unknown, headers: Headers): string | null {
  const correlation = field(field(body, "metadata"), "openclaw_correlation");
  return keyValue(headers.get(AGENT_ID_HEADER)) ?? keyValue(field(correlation, "agent_id"));
}

/**
 * TaaS trusts a caller's id only with an agent id (`identity_present = session_present &&
 * agent_present`, cloudsigma/openclaw-token-cache-optimizer test/agent-identity.test.ts); without
 * one it logs `fallback_reason=missing_agent_and_session` and mints a fresh session.
 */
export function readIdentity(body: unknown, headers: Headers, rule: IdentityRule): Identity {
  const routing = extractRoutingKey(body, headers, rule.keyOrder);
  const agentId = extractAgentId(body, headers);
  const trusted = routing.key !== null && (agentId !== null || !rule.requireAgentId);
  if (trusted) return { ...routing, agentId, fallbackReason: null };
  return { key: null, source: null, agentId, fallbackReason: "missing_agent_and_session" };
}
