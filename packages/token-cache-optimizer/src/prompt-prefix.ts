import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import { shortHash } from "@cloudsigma/taas-core/hash";
import { isRecord } from "@cloudsigma/taas-core/records";

/**
 * Segments kept per prompt. A conversation longer than this is compared on its first segments
 * only (and marked truncated), which bounds the route store to a few KB per call.
 */
export const MAX_PREFIX_SEGMENTS = 2048;

/** 12 hex digits: a collision between two consecutive prompts of one id is one in 2^48. */
const DIGEST_LENGTH = 12;

const SYSTEM_ROLES = new Set(["system", "developer"]);

/**
 * The prompt prefix of a request body exactly as it was sent: a digest and the length of each
 * tool schema, then of each message (chat `messages`, or a Responses `input` list after its
 * `instructions`). Run after the request was dispatched, never on the request path: a 50 KB
 * prompt takes a fraction of a millisecond to digest, which the turn must not wait for.
 * Undefined when the body has no prompt we recognise.
 */
export function promptPrefix(
  payload: unknown,
  maxSegments = MAX_PREFIX_SEGMENTS,
): PromptPrefix | undefined {
  if (!isRecord(payload)) return undefined;
  const messages = promptMessages(payload);
  if (!messages) return undefined;
  const tools = Array.isArray(payload.tools) ? payload.tools : [];
  const all = [...tools, ...messages];
  const kept = all.slice(0, maxSegments);
  const segments = kept.map((item): [string, number] => {
    const text = JSON.stringify(item) ?? "null";
    return [shortHash(text, DIGEST_LENGTH), text.length];
  });
  let system = 0;
  while (system < messages.length && SYSTEM_ROLES.has(roleOf(messages[system]))) system++;
  return {
    segments,
    tools: Math.min(tools.length, kept.length),
    system,
    ...(kept.length < all.length ? { truncated: true } : {}),
  };
}

function promptMessages(payload: Record<string, unknown>): unknown[] | undefined {
  if (Array.isArray(payload.messages)) return payload.messages;
  if (typeof payload.input === "string" || Array.isArray(payload.input)) {
    const input = Array.isArray(payload.input) ? payload.input : [payload.input];
    return typeof payload.instructions === "string"
      ? [{ role: "system", content: payload.instructions }, ...input]
      : input;
  }
  return undefined;
}

const roleOf = (message: unknown): string =>
  isRecord(message) && typeof message.role === "string" ? message.role : "";
