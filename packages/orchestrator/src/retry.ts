import { errorText } from "@cloudsigma/taas-core/error-text";
import { quoted } from "@cloudsigma/taas-core/quoted";
import { RETRY_OUTCOMES, type RetryOutcome } from "./config.ts";
import type { OrchestratorDeps } from "./deps.ts";
import { buildRetrySystemEvent } from "./prompts.ts";
import { specFromJson } from "./spawn-spec.ts";
import { taskFamily } from "./task-text.ts";
import type { SessionStatus } from "./tracking-schema.ts";

export interface SubagentEndedEvent {
  targetSessionKey: string;
  targetKind: string;
  outcome?: string;
  error?: string;
}

const ENDED_STATUSES: readonly SessionStatus[] = ["ok", ...RETRY_OUTCOMES];

/**
 * subagent_ended: the tracked session gets its outcome. A retryable outcome (config
 * `retryOutcomes`) queues one <orchestrator-retry> system event to the session that spawned it
 * and asks for a heartbeat there, if the task chain's budget (`maxRetriesPerTask`, keyed by the
 * requester and the task's family, kept in SQLite) allows; a spent budget is logged and nothing
 * is queued, so a task that keeps failing stops after its budget, across restarts too, until
 * the chain was quiet for `stateTtlMs`.
 */
export function onSubagentEnded(deps: OrchestratorDeps, event: SubagentEndedEvent): void {
  if (event.targetKind !== "subagent") return;
  const { settings, logger, system } = deps;
  const store = deps.store();
  const child = event.targetSessionKey;
  const tracked = store.getSession(child);
  if (!tracked) return;
  const now = deps.now();
  const outcome = (event.outcome ?? "unknown").toLowerCase();
  const status = ENDED_STATUSES.find((known) => known === outcome) ?? "unknown";
  store.endSession(child, status, outcome, event.error ?? null, now);
  if (tracked.kind === "orchestrator")
    logger.info(`orchestrator: hidden orchestrator ended ${child} (${outcome})`);

  if (!settings.autoRetryFailedSubagents || !isRetryOutcome(settings.retryOutcomes, outcome))
    return;
  const requester = tracked.requesterSessionKey;
  const entry = {
    taskKey: tracked.taskKey,
    failedSessionKey: child,
    requesterSessionKey: requester,
    outcome,
    at: now,
  };
  const spec = specFromJson(tracked.specJson);
  const attempt = store.retries.reserve(
    tracked.taskKey,
    requester,
    settings.maxRetriesPerTask,
    now,
    now - settings.stateTtlMs,
  );
  if (attempt === undefined) {
    store.retries.touch(tracked.taskKey, now);
    store.retries.log({ ...entry, attempt: null, decision: "exhausted" });
    logger.warn(
      `orchestrator: retry budget exhausted (${settings.maxRetriesPerTask}/${settings.maxRetriesPerTask}) for ${child}; not retrying task chain ${quoted(taskFamily(spec.task))} (${tracked.taskKey.slice(0, 12)})`,
    );
    return;
  }
  const text = buildRetrySystemEvent({
    spec,
    failedSessionKey: child,
    outcome,
    attempt,
    maxRetries: settings.maxRetriesPerTask,
  });
  let queued = false;
  try {
    queued = system.enqueue(text, {
      sessionKey: requester,
      contextKey: `orchestrator-retry:${tracked.taskKey.slice(0, 16)}:${attempt}`,
    });
  } catch (error) {
    logger.error(`orchestrator: enqueueing the retry event failed: ${errorText(error)}`);
  }
  if (!queued) {
    store.retries.release(tracked.taskKey);
    store.retries.log({ ...entry, attempt, decision: "enqueue-failed" });
    logger.warn(`orchestrator: failed to queue retry event for requester session ${requester}`);
    return;
  }
  store.retries.log({ ...entry, attempt, decision: "queued" });
  system.requestHeartbeat({ sessionKey: requester, reason: "orchestrator-subagent-retry" });
  logger.info(
    `orchestrator: queued retry ${attempt}/${settings.maxRetriesPerTask} for subagent ${child} -> ${requester}`,
  );
}

function isRetryOutcome(selected: ReadonlySet<RetryOutcome>, outcome: string): boolean {
  return RETRY_OUTCOMES.some((known) => known === outcome && selected.has(known));
}
