import { AUTOROUTER_ALGORITHM_HEADER } from "@cloudsigma/taas-core/autorouter";
import { MAX_CALL_ID_LENGTH } from "@cloudsigma/taas-core/call-identity";
import { sanitizeHeaderValue } from "@cloudsigma/taas-core/header-value";

export interface AffinityHeaderInputs {
  /** Sent as `X-Session-Id`, the name TaaS routes on, and as `X-OpenClaw-Session-Id`. */
  affinityId: string;
  turnId?: string;
  attempt: number;
  /**
   * Always sent: TaaS honours the session id only together with an agent id (core
   * call-identity.ts).
   */
  agentId: string;
  /**
   * This plugin's version, as CloudSigma's own provider sends it beside the session, agent, turn
   * and attempt headers: TaaS can tell which client build decorated a call.
   */
  pluginVersion: string;
  /** The autorouter algorithm this call asks TaaS for (calls to the auto model only). */
  autorouterAlgorithm?: string;
}

/** The transport headers TaaS routes and correlates on, every value ASCII, without CR/LF, length-bounded. */
export function buildAffinityHeaders(inputs: AffinityHeaderInputs): Record<string, string> {
  const headers: Record<string, string> = {};
  const set = (name: string, value: unknown) => {
    const clean = sanitizeHeaderValue(value, MAX_CALL_ID_LENGTH);
    if (clean) headers[name] = clean;
  };
  set("X-Session-Id", inputs.affinityId);
  set("X-OpenClaw-Session-Id", inputs.affinityId);
  set("X-OpenClaw-Turn-Id", inputs.turnId);
  set("X-OpenClaw-Attempt", String(Math.max(1, Math.trunc(inputs.attempt))));
  set("X-OpenClaw-Agent-Id", inputs.agentId);
  set("X-OpenClaw-Plugin-Version", inputs.pluginVersion);
  set(AUTOROUTER_ALGORITHM_HEADER, inputs.autorouterAlgorithm);
  return headers;
}
