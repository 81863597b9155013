/**
 * Session roles from the host's session keys: `agent:<agentId>:<rest>`. A subagent's key has a
 * `:subagent:` segment; every other agent session (main, channel, webchat, heartbeat targets)
 * is a front controller, the fast session a person talks to.
 */
export function isFrontControllerSessionKey(sessionKey: string | undefined): boolean {
  if (!sessionKey || sessionKey.includes(":subagent:")) return false;
  return /^agent:/i.test(sessionKey);
}

export function isSubagentSessionKey(sessionKey: string | undefined): boolean {
  return sessionKey?.includes(":subagent:") ?? false;
}

/** The agent id of `agent:<id>:...`, if the key has one. */
export function agentIdOf(sessionKey: string): string | undefined {
  const match = /^agent:([^:]+):/i.exec(sessionKey);
  return match?.[1];
}
