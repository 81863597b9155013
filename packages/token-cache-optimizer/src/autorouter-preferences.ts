import {
  AUTO_MODEL_ID,
  AUTOROUTER_ALGORITHM_HEADER,
  type AutorouterAlgorithm,
} from "@cloudsigma/taas-core/autorouter";
import { BoundedMap } from "@cloudsigma/taas-core/bounded-map";
import type { AutorouterAlgorithmFrom } from "@cloudsigma/taas-core/contracts/route-store";
import { sanitizeHeaderValue } from "@cloudsigma/taas-core/header-value";

/** What an operator can set a preference for: an affinity id (`sessionId` in the methods) or an agent. */
export type PreferenceScope = "session" | "agent";

/**
 * Ids whose preference is kept per scope. An operator steers a handful of sessions and agents;
 * a few thousand bounds the memory of a gateway that is asked for many more, the least
 * recently set forgotten first.
 */
export const MAX_PREFERENCE_IDS = 4096;

/** The algorithm one call asks TaaS for, and whose preference it was. */
export interface AlgorithmChoice {
  algorithm: string;
  from: AutorouterAlgorithmFrom;
}

/**
 * The operator's autorouter preferences of this gateway process, set by
 * `taas.autorouter.setAlgorithm` and read on every call to the auto model. Memory only: a
 * lookup on the request path never touches the disk, and a restart returns every session and
 * agent to the config default.
 */
export class AutorouterPreferences {
  readonly #byScope: Record<PreferenceScope, BoundedMap<string, AutorouterAlgorithm>>;

  constructor(capacity = MAX_PREFERENCE_IDS) {
    this.#byScope = { session: new BoundedMap(capacity), agent: new BoundedMap(capacity) };
  }

  /** Sets (or, with null, clears) one id's preference; returns the one it replaced. */
  set(
    scope: PreferenceScope,
    id: string,
    algorithm: AutorouterAlgorithm | null,
  ): AutorouterAlgorithm | undefined {
    const map = this.#byScope[scope];
    const previous = map.get(id);
    if (algorithm === null) map.delete(id);
    else map.set(id, algorithm);
    return previous;
  }

  /** The session's preference, else the agent's, else the config default; none lets TaaS decide. */
  choose(
    affinityId: string,
    agentId: string | undefined,
    configDefault: AutorouterAlgorithm | undefined,
  ): AlgorithmChoice | undefined {
    const session = this.#byScope.session.get(affinityId);
    if (session) return { algorithm: session, from: "session" };
    const agent = agentId === undefined ? undefined : this.#byScope.agent.get(agentId);
    if (agent) return { algorithm: agent, from: "agent" };
    return configDefault ? { algorithm: configDefault, from: "config" } : undefined;
  }
}

/**
 * The algorithm a call asks for. Only the autorouted model takes one (a named model is not
 * routed); a value the caller already put in the header is what goes out, so that is what the
 * capture names. Ours is asked only when the plugin sends hints.
 */
export function algorithmForCall(input: {
  modelId: string;
  callerHeaders: Record<string, string> | undefined;
  send: boolean;
  choose: () => AlgorithmChoice | undefined;
}): AlgorithmChoice | undefined {
  if (input.modelId !== AUTO_MODEL_ID) return undefined;
  const wanted = AUTOROUTER_ALGORITHM_HEADER.toLowerCase();
  for (const [name, value] of Object.entries(input.callerHeaders ?? {})) {
    if (name.toLowerCase() !== wanted) continue;
    const algorithm = sanitizeHeaderValue(value);
    return algorithm ? { algorithm, from: "caller" } : undefined;
  }
  return input.send ? input.choose() : undefined;
}
