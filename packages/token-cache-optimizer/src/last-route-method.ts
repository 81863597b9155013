import {
  type RouteCapture,
  type RouteScope,
  routeCaptureJson,
} from "@cloudsigma/taas-core/contracts/route-store";
import { errorText } from "@cloudsigma/taas-core/error-text";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { workspaceIdentity } from "./affinity-id.ts";
import { oneIdParam, paramsRecord } from "./method-params.ts";

export const LAST_ROUTE_METHOD = "taas.autorouter.lastRoute";

export type GatewayHandler = Parameters<OpenClawPluginApi["registerGatewayMethod"]>[1];

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
  const picked = oneIdParam(LAST_ROUTE_METHOD, EXPECTED, paramsRecord(params), [
    "agentId",
    "sessionId",
    "workspaceDir",
  ]);
  if ("error" in picked) return picked;
  const { key, value } = picked;
  if (key === "agentId") return { by: "agentId", agentId: value };
  if (key === "sessionId") return { by: "sessionId", affinityId: value };
  return { by: "workspaceDir", affinityId: workspaceIdentity(idKey(), value).id };
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
