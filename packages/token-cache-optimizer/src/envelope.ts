import type { AffinityIdentity } from "./affinity-id.ts";
import type { RepoHints } from "./repo-hints.ts";

export const REQUESTER_RUNTIME_SCHEMA = "2026-06-04";
export const CORRELATION_SCHEMA = "2026-06-05";
export const REDACTION_POLICY =
  "no_secrets;no_raw_local_paths;no_env_values;no_git_remotes;no_status_or_diffs;no_extra_params";

export interface EnvelopeInputs {
  identity: AffinityIdentity;
  /** `host:` + 16 hex of the hashed host name. */
  hostId: string;
  provider: string;
  modelId: string;
  /** The call's agent (core call-identity.ts): TaaS reads it here when the header is missing. */
  agentId: string;
  pluginVersion: string;
  source: string;
  hints?: RepoHints;
}

/** The metadata this plugin adds, each key only where the caller left it unset. */
export interface AffinityMetadata {
  session_id: string;
  sticky_key: string;
  requester_runtime: Readonly<Record<string, unknown>>;
  openclaw_correlation: Readonly<Record<string, unknown>>;
}

/**
 * Builds the metadata TaaS reads, field for field as README "What it sends" documents it. Only
 * hashed identifiers, a repo name and a branch leave the machine: no paths, env values,
 * remotes, status or diffs.
 * The objects are frozen and shared by every request of a model preparation.
 */
export function buildAffinityMetadata(inputs: EnvelopeInputs): AffinityMetadata {
  const { identity, hints } = inputs;
  const modelRef = `${inputs.provider}/${inputs.modelId}`;
  const requesterRuntime = Object.freeze({
    schema_version: REQUESTER_RUNTIME_SCHEMA,
    source: inputs.source,
    session_key: identity.id,
    openclaw_session_id: identity.id,
    requester_host_id: inputs.hostId,
    ...(hints?.repoName !== undefined ? { repo_name: hints.repoName } : {}),
    ...(hints?.branch !== undefined ? { git_branch_hint: hints.branch } : {}),
    provider: inputs.provider,
    model_id: modelRef,
    session_source_hint: identity.sourceHint,
    tool_execution: "direction_2_gateway",
    metadata_classification: Object.freeze({
      identifiers: "hashed",
      repository: "name_branch_only",
      local_paths: "omitted_by_default",
    }),
    redaction_policy: REDACTION_POLICY,
  });
  const correlation = Object.freeze({
    schema_version: CORRELATION_SCHEMA,
    source: inputs.source,
    plugin_version: inputs.pluginVersion,
    session_id: identity.id,
    sticky_key: identity.id,
    session_source_hint: identity.sourceHint,
    agent_id: inputs.agentId,
    provider: inputs.provider,
    model_id: modelRef,
  });
  return Object.freeze({
    session_id: identity.id,
    sticky_key: identity.id,
    requester_runtime: requesterRuntime,
    openclaw_correlation: correlation,
  });
}
