import type { OrchestratorDeps } from "./deps.ts";
import { isSubagentSessionKey } from "./session-keys.ts";

export interface SessionEndEvent {
  sessionKey?: string;
  reason?: string;
}

/**
 * Reasons after which a session continues (the gateway stopped or restarted, or the transcript
 * was compacted): its state must survive them. Every other end (new, reset, idle, daily,
 * deleted) is final.
 */
const CONTINUING = new Set(["shutdown", "restart", "compaction", "unknown"]);

/**
 * session_end: a main session that ended for good takes its orchestrator, workers, retry
 * budgets, notes and pending spawns with it. A subagent keeps its tracked row (its outcome
 * arrives through subagent_ended and its requester's end removes it) but loses its notes.
 */
export function onSessionEnd(deps: OrchestratorDeps, event: SessionEndEvent): void {
  const { sessionKey } = event;
  if (!sessionKey || CONTINUING.has(event.reason ?? "unknown")) return;
  const store = deps.store();
  store.transaction(() => store.forgetSession(sessionKey, !isSubagentSessionKey(sessionKey)));
}
