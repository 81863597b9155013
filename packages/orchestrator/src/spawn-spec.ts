import { isRecord } from "@cloudsigma/taas-core/records";
import { asRecord, nonEmpty } from "./text.ts";

/** What a subagent was spawned with: enough to ask for the same spawn again. */
export interface SpawnSpec {
  task: string;
  label?: string;
  agentId?: string;
  model?: string;
  thinking?: string;
  mode?: string;
  thread?: boolean;
}

/** The spec of sessions_spawn parameters, with `task` as given (already resolved). */
export function specFromParams(params: Record<string, unknown>, task: string): SpawnSpec {
  const spec: SpawnSpec = { task };
  const label = nonEmpty(params.label);
  const agentId = nonEmpty(params.agentId);
  const model = nonEmpty(params.model);
  const thinking = nonEmpty(params.thinking);
  const mode = nonEmpty(params.mode);
  if (label) spec.label = label;
  if (agentId) spec.agentId = agentId;
  if (model) spec.model = model;
  if (thinking) spec.thinking = thinking;
  if (mode) spec.mode = mode;
  if (typeof params.thread === "boolean") spec.thread = params.thread;
  return spec;
}

/** Pending spawns are matched to their result by run, tool call and session. */
export function pendingSpawnKey(
  runId: string | undefined,
  toolCallId: string | undefined,
  sessionKey: string | undefined,
): string {
  return `${runId ?? ""}|${toolCallId ?? ""}|${sessionKey ?? ""}`;
}

/** The child session key in a sessions_spawn result (`details` or nested objects). */
export function childSessionKeyOf(result: unknown, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  const record = asRecord(result);
  const direct = nonEmpty(record.childSessionKey);
  if (direct) return direct;
  for (const nested of Object.values(record)) {
    if (!isRecord(nested)) continue;
    const found = childSessionKeyOf(nested, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Whether a sessions_spawn result says the spawn was accepted. */
export function isSpawnAccepted(result: unknown, error: string | undefined): boolean {
  if (nonEmpty(error)) return false;
  const record = asRecord(result);
  const details = asRecord(record.details);
  const status = (nonEmpty(record.status) ?? nonEmpty(details.status))?.toLowerCase();
  if (status) return status === "accepted" || status === "ok" || status === "success";
  if (record.isError === true || details.isError === true) return false;
  return !(nonEmpty(record.error) ?? nonEmpty(details.error));
}

/** A stored spec back from its JSON (tolerant: unknown or mistyped fields are dropped). */
export function specFromJson(json: string): SpawnSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = {};
  }
  const record = asRecord(parsed);
  return specFromParams(record, nonEmpty(record.task) ?? "");
}
