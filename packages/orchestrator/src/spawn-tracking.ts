import type { OrchestratorDeps } from "./deps.ts";
import { childSessionKeyOf, isSpawnAccepted, pendingSpawnKey, specFromJson } from "./spawn-spec.ts";
import { injectedLine } from "./task-text.ts";
import { nonEmpty, taskPreview } from "./text.ts";
import type { PendingSpawn } from "./tracking-schema.ts";

export interface AfterToolCallEvent {
  toolName: string;
  runId?: string;
  toolCallId?: string;
  result?: unknown;
  error?: string;
}
export interface SubagentSpawnedEvent {
  childSessionKey: string;
  label?: string;
  runId?: string;
}
export interface SubagentContext {
  requesterSessionKey?: string;
  childSessionKey?: string;
}

/**
 * subagent_spawned: the host names the child of a pending spawn (it fires before the tool's
 * result). The pending spawn of the requester with the same label becomes a tracked session.
 */
export function onSubagentSpawned(
  deps: OrchestratorDeps,
  event: SubagentSpawnedEvent,
  ctx: SubagentContext,
): void {
  const requester = ctx.requesterSessionKey;
  const child = event.childSessionKey || ctx.childSessionKey;
  if (!requester || !child) return;
  const store = deps.store();
  const now = deps.now();
  if (store.getSession(child)) {
    store.touchSession(child, now);
    return;
  }
  const pending = store.transaction(() =>
    store.takePendingFor(requester, nonEmpty(event.label) ?? null),
  );
  if (pending) track(deps, pending, child, nonEmpty(event.runId) ?? null);
}

/**
 * after_tool_call of sessions_spawn: a refused spawn drops its pending entry; an accepted one
 * that subagent_spawned did not bind yet is bound from the result's child session key.
 */
export function onAfterToolCall(
  deps: OrchestratorDeps,
  event: AfterToolCallEvent,
  ctx: { sessionKey?: string },
): void {
  if (event.toolName !== "sessions_spawn") return;
  const store = deps.store();
  const pending = store.takePending(pendingSpawnKey(event.runId, event.toolCallId, ctx.sessionKey));
  if (!pending) return;
  if (!isSpawnAccepted(event.result, event.error)) {
    deps.logger.warn(
      `orchestrator: sessions_spawn was not accepted for ${pending.requesterSessionKey}; skipping bind/worker tracking`,
    );
    return;
  }
  const child = childSessionKeyOf(event.result);
  if (!child) {
    deps.logger.warn(
      `orchestrator: sessions_spawn accepted without childSessionKey for ${pending.requesterSessionKey}`,
    );
    return;
  }
  if (!store.getSession(child)) track(deps, pending, child, null);
}

function track(
  deps: OrchestratorDeps,
  pending: PendingSpawn,
  child: string,
  runId: string | null,
): void {
  const spec = specFromJson(pending.specJson);
  deps.store().trackSession(pending, child, taskPreview(spec.task), runId, deps.now());
  deps.logger.info(
    pending.kind === "orchestrator"
      ? `orchestrator: bound hidden orchestrator ${child} -> requester ${pending.requesterSessionKey}`
      : `orchestrator: worker spawned ${child} under ${pending.requesterSessionKey} (${injectedLine(pending.label ?? "no-label", 100)})`,
  );
}
