import { isFrontControllerSessionKey } from "./session-keys.ts";
import type { TrackingStore } from "./tracking-store.ts";

export type SessionRole = "front" | "orchestrator" | "worker" | "other";

/**
 * What a session is to the plugin: a session it saw spawned is an orchestrator or a worker (as
 * recorded); any other agent session that is not a subagent is a front controller.
 */
export function sessionRole(store: TrackingStore, sessionKey: string | undefined): SessionRole {
  if (!sessionKey) return "other";
  const tracked = store.getSession(sessionKey);
  if (tracked) return tracked.kind;
  return isFrontControllerSessionKey(sessionKey) ? "front" : "other";
}
