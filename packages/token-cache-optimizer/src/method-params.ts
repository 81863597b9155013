import { MAX_CALL_ID_LENGTH } from "@cloudsigma/taas-core/call-identity";
import { sanitizeHeaderValue } from "@cloudsigma/taas-core/header-value";
import { isAffinityId } from "./affinity-id.ts";

/** The params that name whom a gateway method of this plugin is about. */
export type IdParam = "agentId" | "sessionId" | "workspaceDir";

/** The longest value each param can match: an agent id, a (pinned) affinity id, a path. */
const MAX_LENGTH: Readonly<Record<IdParam, number>> = {
  agentId: 128,
  sessionId: MAX_CALL_ID_LENGTH,
  workspaceDir: 4096,
};

/** The params as an object, or undefined when the caller sent none (or not an object). */
export function paramsRecord(params: unknown): Record<string, unknown> | undefined {
  if (typeof params !== "object" || params === null || Array.isArray(params)) return undefined;
  return params as Record<string, unknown>;
}

/**
 * Picks the one id param a call names, refusing what the method does not take by name (a typo
 * must not be answered as if it were absent). `expects` is the method's own usage text.
 */
export function oneIdParam<K extends IdParam>(
  method: string,
  expects: string,
  record: Record<string, unknown> | undefined,
  ids: readonly K[],
  others: readonly string[] = [],
): { key: K; value: string } | { error: string } {
  if (!record) return { error: `${method} ${expects}; got no params` };
  const keys = Object.keys(record);
  const isId = (key: string): key is K => ids.some((id) => id === key);
  const unknown = keys.filter((key) => !isId(key) && !others.includes(key));
  if (unknown.length > 0)
    return { error: `${method} ${expects}; unknown param(s): ${bounded(unknown.join(", "))}` };
  const named = keys.filter(isId);
  const [key] = named;
  if (key === undefined || named.length !== 1)
    return {
      error: `${method} ${expects}; got ${key === undefined ? "none" : named.join(" and ")}`,
    };
  const value = record[key];
  if (typeof value !== "string" || value.trim() === "")
    return { error: `${method}: "${key}" must be a non-empty string` };
  const problem = idProblem(key, value);
  return problem ? { error: `${method}: ${problem}` } : { key, value };
}

/** An over-long value is named as such, with the limit, before its form is judged. */
function idProblem(key: IdParam, value: string): string | undefined {
  const max = MAX_LENGTH[key];
  if (value.length > max)
    return `"${key}" is too long (${value.length} characters; at most ${max})`;
  // Our ids, or one a caller pinned (stored as sent: header-safe, at most 128 characters).
  if (
    key === "sessionId" &&
    !isAffinityId(value) &&
    sanitizeHeaderValue(value, MAX_CALL_ID_LENGTH) !== value
  )
    return `"sessionId" must look like oc:<16 hex>, e.g. oc:0123456789abcdef, or be the id a caller pinned (printable ASCII, at most ${MAX_CALL_ID_LENGTH} characters)`;
  if (key === "agentId" && !/^[A-Za-z0-9._:-]{1,128}$/.test(value))
    return `"agentId" must be 1-128 characters of letters, digits, . _ : -`;
  return undefined;
}

/** Text the caller sent, at most 100 characters of it. */
export const bounded = (text: string): string =>
  text.length > 100 ? `${text.slice(0, 100)}...` : text;
