import { resolve } from "node:path";
import { shortHash } from "@cloudsigma/taas-core/hash";

/** Which stable source an affinity id came from, best first: the most conversation-specific wins. */
export type SessionSource =
  | "workspace"
  | "host-session"
  | "env-session"
  | "env-agent"
  | "env-run"
  | "state-dir";

export interface AffinityIdentity {
  /** `oc:` + 16 hex of SHA-256 over the source. The same in body and headers. */
  id: string;
  source: SessionSource;
  /** `source:` + 16 hex: tells TaaS which tier was used without revealing its value. */
  sourceHint: string;
}

export interface AffinityInputs {
  workspaceDir?: string;
  env: NodeJS.ProcessEnv;
  /** Used when nothing better exists; the host's state dir (default ~/.openclaw). */
  stateDir: string;
}

const nonEmpty = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

function identity(source: SessionSource, material: string): AffinityIdentity {
  return {
    id: `oc:${shortHash(`${source}:${material}`)}`,
    source,
    sourceHint: `source:${shortHash(`tier:${source}`)}`,
  };
}

/** The id for one agent workspace; also what `taas.autorouter.lastRoute {workspaceDir}` derives. */
export const workspaceIdentity = (workspaceDir: string): AffinityIdentity =>
  identity("workspace", resolve(workspaceDir));

/** Per-session scope: one id per host session id. */
export const hostSessionIdentity = (sessionId: string): AffinityIdentity =>
  identity("host-session", sessionId);

/**
 * The workspace-scope id, from the best stable source available: the agent workspace the host
 * passes, then OPENCLAW_SESSION_ID, OPENCLAW_AGENT_ID, OPENCLAW_RUN_ID, then the state dir.
 */
export function deriveAffinityIdentity(inputs: AffinityInputs): AffinityIdentity {
  const workspace = nonEmpty(inputs.workspaceDir);
  if (workspace) return workspaceIdentity(workspace);
  const session = nonEmpty(inputs.env.OPENCLAW_SESSION_ID);
  if (session) return identity("env-session", session);
  const agent = nonEmpty(inputs.env.OPENCLAW_AGENT_ID);
  if (agent) return identity("env-agent", agent);
  const run = nonEmpty(inputs.env.OPENCLAW_RUN_ID);
  if (run) return identity("env-run", run);
  return identity("state-dir", resolve(inputs.stateDir));
}

/** `host:` + 16 hex of the host name: distinguishes requesters without naming the machine. */
export const hostIdentity = (hostName: string): string => `host:${shortHash(`host:${hostName}`)}`;

/** Accepts only ids this plugin could have made: `oc:` and 16 lower-case hex digits. */
export const isAffinityId = (value: unknown): value is string =>
  typeof value === "string" && /^oc:[0-9a-f]{16}$/.test(value);
