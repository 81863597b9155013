import { AUTOROUTER_ALGORITHM_HEADER } from "@cloudsigma/taas-core/autorouter";
import { sanitizeHeaderValue } from "./header-value.ts";

export interface AffinityHeaderInputs {
  /** Sent as `X-Session-Id`, the name TaaS routes on, and as `X-OpenClaw-Session-Id`. */
  affinityId: string;
  turnId?: string;
  attempt: number;
  agentId?: string;
  /**
   * This plugin's version, as CloudSigma's own provider sends it beside the session, agent, turn
   * and attempt headers: TaaS can tell which client build decorated a call.
   */
  pluginVersion: string;
  /** The autorouter algorithm this call asks TaaS for (calls to the auto model only). */
  autorouterAlgorithm?: string;
}

/** Ids are short; anything longer is not an id we should forward. */
const MAX_ID_LENGTH = 128;

/** The transport headers TaaS routes and correlates on, every value ASCII, without CR/LF, length-bounded. */
export function buildAffinityHeaders(inputs: AffinityHeaderInputs): Record<string, string> {
  const headers: Record<string, string> = {};
  const set = (name: string, value: unknown) => {
    const clean = sanitizeHeaderValue(value, MAX_ID_LENGTH);
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

/** Ours first, the caller's on top: a header the caller already set (any case) keeps its value. */
export function mergeHeadersCallerWins(
  ours: Record<string, string>,
  caller: Record<string, string> | undefined,
): Record<string, string> {
  if (!caller) return ours;
  const merged: Record<string, string> = {};
  const callerNames = new Set(Object.keys(caller).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(ours))
    if (!callerNames.has(name.toLowerCase())) merged[name] = value;
  return Object.assign(merged, caller);
}
