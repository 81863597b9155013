import { shortHash } from "@cloudsigma/taas-core/hash";
import { ORCHESTRATOR_STALE_MS, type OrchestratorDeps } from "./deps.ts";
import { buildHiddenOrchestratorTask, unwrapOrchestratorTask } from "./prompts.ts";
import { pendingSpawnKey, specFromParams } from "./spawn-spec.ts";
import { capText, taskChainKey } from "./task-text.ts";
import { nonEmpty, sanitizeLabel } from "./text.ts";
import type { SessionKind } from "./tracking-schema.ts";

const FALLBACK_ORCHESTRATOR_TASK =
  "Initialize hidden thread orchestrator and continue the current user objective.";
const FALLBACK_WORKER_TASK =
  "Delegate the current thread objective to a worker and report results.";

interface SpawnRequest {
  role: "front" | "orchestrator" | "worker";
  sessionKey: string;
  params: Record<string, unknown>;
  runId: string | undefined;
  toolCallId: string | undefined;
}

/**
 * A sessions_spawn about to run. From a main session it becomes the thread's one hidden
 * orchestrator (refused while one is active): a stable default label and the orchestrator
 * contract around the task. From anywhere else it is a worker, as asked. A spawn without a task
 * gets the last delegated task or user message. The plan is stored as a pending spawn until
 * the host reports the child session. The retry budget key is the task chain (requester and
 * task family) of the front's own task, so a respawn with the wrapped text, or re-worded,
 * counts against the same budget.
 */
export function planSpawn(
  deps: OrchestratorDeps,
  request: SpawnRequest,
): { block: true; blockReason: string } | { params: Record<string, unknown> } | undefined {
  const { sessionKey, params, role } = request;
  const store = deps.store();
  const now = deps.now();
  const rawTask = nonEmpty(params.task);
  const task =
    rawTask ??
    (role === "orchestrator" ? store.notes.get(sessionKey, "last_delegated_task") : undefined) ??
    store.notes.get(sessionKey, "last_user_message") ??
    (role === "front" ? FALLBACK_ORCHESTRATOR_TASK : FALLBACK_WORKER_TASK);

  let kind: SessionKind = "worker";
  let nextParams: Record<string, unknown> = { ...params, task };
  let specTask = task;
  if (role === "front") {
    const active = store.activeOrchestrator(sessionKey, now - ORCHESTRATOR_STALE_MS);
    if (active) {
      return {
        block: true,
        blockReason: `Hidden orchestrator already active (${active}). Use sessions_send to delegate additional work and session_status/sessions_history to poll progress.`,
      };
    }
    kind = "orchestrator";
    specTask = unwrapOrchestratorTask(task);
    const label =
      sanitizeLabel(nonEmpty(params.label)) ??
      `${deps.settings.orchestratorLabelPrefix}-${shortHash(sessionKey, 10)}`;
    nextParams = { ...params, label, task: buildHiddenOrchestratorTask(sessionKey, specTask) };
  }

  // What is stored (and may come back in a retry event) is bounded; the spawn itself is not.
  const spec = specFromParams(nextParams, capText(specTask));
  store.recordPending({
    pendingKey: pendingSpawnKey(request.runId, request.toolCallId, sessionKey),
    requesterSessionKey: sessionKey,
    kind,
    label: spec.label ?? null,
    specJson: JSON.stringify(spec),
    taskKey: taskChainKey(sessionKey, specTask),
    createdAt: now,
  });
  return kind === "orchestrator" || !rawTask ? { params: nextParams } : undefined;
}
