/**
 * Session roles from the host's session keys. A subagent's key has a `:subagent:` segment;
 * every other session a person or an outside trigger talks to is a front controller:
 * `agent:<agentId>:<rest>` (the main session, channel, webchat and heartbeat targets),
 * `global` (the main session when `session.scope` is `global`), `cron:<job>` (an isolated cron
 * run) and `hook:<id>` (a webhook or mail run). Cron and hook runs take their input from
 * outside, so the delegation rules must reach them too: a policy that a webhook's session
 * could step around by not being called `agent:` would not be a policy.
 */
const FRONT_CONTROLLER_KEY = /^(?:agent:|cron:|hook:|global$)/i;

export function isFrontControllerSessionKey(sessionKey: string | undefined): boolean {
  if (!sessionKey || isSubagentSessionKey(sessionKey)) return false;
  return FRONT_CONTROLLER_KEY.test(sessionKey.trim());
}

export function isSubagentSessionKey(sessionKey: string | undefined): boolean {
  return /(?:^|:)subagent:/i.test(sessionKey ?? "");
}

/** The agent id of `agent:<id>:...`, if the key has one. */
export function agentIdOf(sessionKey: string): string | undefined {
  const match = /^agent:([^:]+):/i.exec(sessionKey);
  return match?.[1];
}
