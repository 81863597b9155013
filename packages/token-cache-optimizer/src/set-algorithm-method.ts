import {
  AUTOROUTER_ALGORITHMS,
  type AutorouterAlgorithm,
  isAutorouterAlgorithm,
} from "@cloudsigma/taas-core/autorouter";
import type { AutorouterPreferences, PreferenceScope } from "./autorouter-preferences.ts";
import type { GatewayHandler } from "./last-route-method.ts";
import { bounded, oneIdParam, paramsRecord } from "./method-params.ts";

export const SET_ALGORITHM_METHOD = "taas.autorouter.setAlgorithm";

/** Whose preference to set: `sessionId` is the method's public name for an affinity id, as in lastRoute. */
export interface SetAlgorithmRequest {
  scope: PreferenceScope;
  id: string;
  /** null clears the preference, so the next one down applies. */
  algorithm: AutorouterAlgorithm | null;
}

const CHOICES = `${AUTOROUTER_ALGORITHMS.map((name) => JSON.stringify(name)).join(", ")}, or null to clear`;

const EXPECTED = `expects exactly one of {"agentId":"<agent id>"} or {"sessionId":"oc:<16 hex>"}, with "algorithm": ${CHOICES}`;

/** Validates the params; returns the request or a message naming what is expected. */
export function parseSetAlgorithmParams(params: unknown): SetAlgorithmRequest | { error: string } {
  const record = paramsRecord(params);
  const picked = oneIdParam(
    SET_ALGORITHM_METHOD,
    EXPECTED,
    record,
    ["agentId", "sessionId"],
    ["algorithm"],
  );
  if ("error" in picked) return picked;
  if (!record || !Object.hasOwn(record, "algorithm"))
    return { error: `${SET_ALGORITHM_METHOD}: "algorithm" is required: ${CHOICES}` };
  const algorithm = record.algorithm;
  if (algorithm !== null && !isAutorouterAlgorithm(algorithm))
    return {
      error: `${SET_ALGORITHM_METHOD}: "algorithm" must be one of ${CHOICES}; got ${bounded(JSON.stringify(algorithm) ?? String(algorithm))}`,
    };
  return { scope: picked.key === "agentId" ? "agent" : "session", id: picked.value, algorithm };
}

/** Applies a valid request and says what now holds for that id. */
export function applySetAlgorithm(
  request: SetAlgorithmRequest,
  preferences: AutorouterPreferences,
) {
  const previous = preferences.set(request.scope, request.id, request.algorithm) ?? null;
  const subject = request.scope === "agent" ? `Agent "${request.id}"` : `Session ${request.id}`;
  const fallback =
    request.scope === "session"
      ? "the agent's preference, else the config default"
      : "the config default";
  return {
    query: request.scope === "agent" ? { agentId: request.id } : { sessionId: request.id },
    algorithm: request.algorithm,
    previous,
    message:
      request.algorithm === null
        ? `${subject} has no autorouter algorithm of its own now; ${fallback} applies.`
        : `${subject} asks TaaS for the "${request.algorithm}" autorouter algorithm on its next calls to the auto model.`,
  };
}

export function createSetAlgorithmHandler(preferences: AutorouterPreferences): GatewayHandler {
  return ({ params, respond }) => {
    const request = parseSetAlgorithmParams(params);
    if ("error" in request) {
      respond(false, undefined, { code: "INVALID_REQUEST", message: request.error });
      return;
    }
    respond(true, applySetAlgorithm(request, preferences));
  };
}
