import { resolve } from "node:path";
import { pinnedSessionId } from "@cloudsigma/taas-core/call-identity";
import { keyedHash, shortHash } from "@cloudsigma/taas-core/hash";

/** Which stable source an affinity id came from, best first: the most conversation-specific wins. */
export type AffinitySource =
  | "workspace"
  | "host-session"
  | "env-session"
  | "env-agent"
  | "env-run"
  | "state-dir"
  | "caller-pinned";

export interface AffinityIdentity {
  /** `oc:` + 16 hex of HMAC-SHA256 (the install key) over the source. The same in body and headers. */
  id: string;
  source: AffinitySource;
  /** `source:` + 16 hex: tells TaaS which tier was used without revealing its value. */
  sourceHint: string;
  /** The bounded scope's shard of the base id (0 is the base id itself); absent in other scopes. */
  shard?: number;
}

export interface AffinityInputs {
  /** This install's secret key (see runtime.ts): ids cannot be reversed with a dictionary. */
  key: string;
  workspaceDir?: string;
  env: NodeJS.ProcessEnv;
  /** Used when nothing better exists; the host's state dir (default ~/.openclaw). */
  stateDir: string;
}

const nonEmpty = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

function identity(key: string, source: AffinitySource, material: string): AffinityIdentity {
  return {
    id: `oc:${keyedHash(key, `${source}:${material}`)}`,
    source,
    sourceHint: `source:${shortHash(`tier:${source}`)}`,
  };
}

/** The id for one agent workspace; also what `taas.autorouter.lastRoute {workspaceDir}` derives. */
export const workspaceIdentity = (key: string, workspaceDir: string): AffinityIdentity =>
  identity(key, "workspace", resolve(workspaceDir));

/** Per-session scope: one id per host session id. */
export const hostSessionIdentity = (key: string, sessionId: string): AffinityIdentity =>
  identity(key, "host-session", sessionId);

/**
 * Shard `shard` of a base id (bounded scope): shard 0 is the base id itself, so at low load the
 * wire is the workspace scope's; shard n is keyed from the base id and n, stable across restarts
 * with the same install key and unguessable without it.
 */
export function shardIdentity(
  key: string,
  base: AffinityIdentity,
  shard: number,
): AffinityIdentity {
  if (shard === 0) return { ...base, shard };
  return { ...base, id: `oc:${keyedHash(key, `shard:${base.id}:${shard}`)}`, shard };
}

/**
 * The workspace-scope id, from the best stable source available: the agent workspace the host
 * passes, then OPENCLAW_SESSION_ID, OPENCLAW_AGENT_ID, OPENCLAW_RUN_ID, then the state dir.
 */
export function deriveAffinityIdentity(inputs: AffinityInputs): AffinityIdentity {
  const workspace = nonEmpty(inputs.workspaceDir);
  if (workspace) return workspaceIdentity(inputs.key, workspace);
  const session = nonEmpty(inputs.env.OPENCLAW_SESSION_ID);
  if (session) return identity(inputs.key, "env-session", session);
  const agent = nonEmpty(inputs.env.OPENCLAW_AGENT_ID);
  if (agent) return identity(inputs.key, "env-agent", agent);
  const run = nonEmpty(inputs.env.OPENCLAW_RUN_ID);
  if (run) return identity(inputs.key, "env-run", run);
  return identity(inputs.key, "state-dir", resolve(inputs.stateDir));
}

/**
 * The id a caller pinned itself (core's `pinnedSessionId`: `metadata.session_id`, else
 * `metadata.sticky_key`, made header-safe). Undefined when nothing usable is left, so our own
 * id is used instead.
 */
export function callerPinnedIdentity(metadata: unknown): AffinityIdentity | undefined {
  const id = pinnedSessionId(metadata);
  return id
    ? { id, source: "caller-pinned", sourceHint: `source:${shortHash("tier:caller-pinned")}` }
    : undefined;
}

/** `host:` + 16 hex of the keyed host name: distinguishes requesters without naming the machine. */
export const hostIdentity = (key: string, hostName: string): string =>
  `host:${keyedHash(key, `host:${hostName}`)}`;

/** Accepts only ids this plugin could have made: `oc:` and 16 lower-case hex digits. */
export const isAffinityId = (value: unknown): value is string =>
  typeof value === "string" && /^oc:[0-9a-f]{16}$/.test(value);
