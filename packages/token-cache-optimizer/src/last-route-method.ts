import {
  type RouteCapture,
  type RouteScope,
  routeCaptureJson,
} from "@cloudsigma/taas-core/contracts/route-store";
import { errorText } from "@cloudsigma/taas-core/error-text";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { isAffinityId, MAX_PINNED_ID_LENGTH, workspaceIdentity } from "./affinity-id.ts";
import { sanitizeHeaderValue } from "./header-value.ts";

export const LAST_ROUTE_METHOD = "taas.autorouter.lastRoute";

type GatewayHandler = Parameters<OpenClawPluginApi["registerGatewayMethod"]>[1];

export interface RouteReader {
  latest(scope: RouteScope, key: string): RouteCapture | undefined;
}

/** `by` names the param the caller sent; `sessionId` is the method's public name for an affinity id. */
export type LastRouteQuery =
  | { by: "agentId"; agentId: string }
  | { by: "sessionId"; affinityId: string }
  | { by: "workspaceDir"; affinityId: string };

const EXPECTED =
  'expects exactly one of {"agentId":"<agent id>"}, {"sessionId":"oc:<16 hex>"} or {"workspaceDir":"<agent workspace path>"}';

/** Validates the params; returns the query or a message naming what is expected. */
export function parseLastRouteParams(
  params: unknown,
  idKey: () => string,
): LastRouteQuery | { error: string } {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    return { error: `${LAST_ROUTE_METHOD} ${EXPECTED}; got no params` };
  }
  const record = params as Record<string, unknown>;
  const keys = Object.keys(record);
  const isKnown = (key: string) =>
    key === "agentId" || key === "sessionId" || key === "workspaceDir";
  const known = keys.filter(isKnown);
  const unknown = keys.filter((key) => !isKnown(key));
  if (unknown.length > 0)
    return {
      error: `${LAST_ROUTE_METHOD} ${EXPECTED}; unknown param(s): ${bounded(unknown.join(", "))}`,
    };
  if (known.length !== 1)
    return {
      error: `${LAST_ROUTE_METHOD} ${EXPECTED}; got ${known.length === 0 ? "none" : known.join(" and ")}`,
    };
  const key = known[0];
  const value = key === undefined ? undefined : record[key];
  if (typeof value !== "string" || value.trim() === "") {
    return { error: `${LAST_ROUTE_METHOD}: "${key}" must be a non-empty string` };
  }
  const tooLong = key === undefined ? undefined : lengthError(key, value);
  if (tooLong) return { error: tooLong };
  if (key === "sessionId") {
    // Our ids, or one a caller pinned (stored as sent: header-safe, at most 128 characters).
    if (!isAffinityId(value) && sanitizeHeaderValue(value, MAX_PINNED_ID_LENGTH) !== value)
      return {
        error: `${LAST_ROUTE_METHOD}: "sessionId" must look like oc:<16 hex>, e.g. oc:0123456789abcdef, or be the id a caller pinned (printable ASCII, at most ${MAX_PINNED_ID_LENGTH} characters)`,
      };
    return { by: "sessionId", affinityId: value };
  }
  if (key === "workspaceDir")
    return { by: "workspaceDir", affinityId: workspaceIdentity(idKey(), value).id };
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(value)) {
    return {
      error: `${LAST_ROUTE_METHOD}: "agentId" must be 1-128 characters of letters, digits, . _ : -`,
    };
  }
  return { by: "agentId", agentId: value };
}

/** The longest value each param can match: an agent id, a (pinned) affinity id, a path. */
const MAX_LENGTH: Readonly<Record<string, number>> = {
  agentId: 128,
  sessionId: MAX_PINNED_ID_LENGTH,
  workspaceDir: 4096,
};

/** An over-long value is named as such, with the limit, not as a malformed one. */
function lengthError(key: string, value: string): string | undefined {
  const max = MAX_LENGTH[key] ?? 0;
  if (value.length <= max) return undefined;
  return `${LAST_ROUTE_METHOD}: "${key}" is too long (${value.length} characters; at most ${max})`;
}

/** The answer for a valid query: the capture, or a normal "nothing captured yet" answer. */
export function answerLastRoute(query: LastRouteQuery, reader: RouteReader | undefined) {
  const route =
    query.by === "agentId"
      ? reader?.latest("agent", query.agentId)
      : reader?.latest("affinity", query.affinityId);
  const subject =
    query.by === "agentId" ? `agent "${query.agentId}"` : `session ${query.affinityId}`;
  const queryEcho =
    query.by === "agentId"
      ? { agentId: query.agentId }
      : { by: query.by, sessionId: query.affinityId };
  if (!route)
    return {
      found: false,
      query: queryEcho,
      message: `No TaaS route captured yet for ${subject}.`,
    };
  return { found: true, query: queryEcho, route: routeCaptureJson(route) };
}

export function createLastRouteHandler(
  reader: () => RouteReader | undefined,
  idKey: () => string,
): GatewayHandler {
  return ({ params, respond }) => {
    const query = parseLastRouteParams(params, idKey);
    if ("error" in query) {
      respond(false, undefined, { code: "INVALID_REQUEST", message: query.error });
      return;
    }
    try {
      respond(true, answerLastRoute(query, reader()));
    } catch (error) {
      respond(false, undefined, {
        code: "UNAVAILABLE",
        message: `${LAST_ROUTE_METHOD}: route store unavailable (${errorText(error)})`,
      });
    }
  };
}

/** Param names as the caller sent them, at most 100 characters of them. */
const bounded = (text: string): string => (text.length > 100 ? `${text.slice(0, 100)}...` : text);
