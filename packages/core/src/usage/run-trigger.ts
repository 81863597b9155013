/**
 * The trigger a ledger row records. The host reports user / cron / heartbeat / manual / memory /
 * overflow, but never "subagent": a spawned subagent's run arrives as "user" on a session key
 * `agent:<id>:subagent:<uuid>`. Operators ask "what did my subagents cost", so a subagent
 * session's user-triggered (or unreported) run is recorded as "subagent"; every other value is
 * kept exactly as the host gave it.
 */
export function runTrigger(hostTrigger: string | null, sessionKey: string | null): string | null {
  if ((hostTrigger === null || hostTrigger === "user") && isSubagentSessionKey(sessionKey)) {
    return "subagent";
  }
  return hostTrigger;
}

const SUBAGENT_SESSION_KEY = /^agent:[^:]+:subagent:/;

function isSubagentSessionKey(sessionKey: string | null | undefined): boolean {
  return typeof sessionKey === "string" && SUBAGENT_SESSION_KEY.test(sessionKey);
}
