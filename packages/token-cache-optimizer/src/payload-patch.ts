import { isRecord } from "@cloudsigma/taas-core/records";
import type { AffinityMetadata } from "./envelope.ts";

const METADATA_KEYS = [
  "session_id",
  "sticky_key",
  "requester_runtime",
  "openclaw_correlation",
] as const;

/**
 * Adds the affinity metadata to a chat-completions payload without overwriting anything the
 * caller set (a key counts as set when present, whatever its value). Only `metadata` is
 * touched: tools, tool_choice and messages keep their identity, so they serialise byte for
 * byte as the host built them. Returns the same payload object.
 */
export function patchPayloadMetadata(payload: unknown, metadata: AffinityMetadata): unknown {
  if (!isRecord(payload)) return payload;
  const existing = payload.metadata;
  if (existing !== undefined && existing !== null && !isRecord(existing)) return payload;
  const target: Record<string, unknown> = existing ? { ...existing } : {};
  let changed = false;
  for (const key of METADATA_KEYS) {
    if (!Object.hasOwn(target, key)) {
      target[key] = metadata[key];
      changed = true;
    }
  }
  if (changed) payload.metadata = target;
  return payload;
}
