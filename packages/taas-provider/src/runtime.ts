import { randomUUID } from "node:crypto";
import { processSlot } from "@cloudsigma/taas-core/process-scope";
import { PLUGIN_ID } from "./identity.ts";

/*
 * The provider's process-wide state, and the only file of the plugin that touches it: when each
 * repeatable log line was last said, and the session id of calls the host sends without one.
 * The host evaluates this module several times per process (the catalog, the stream hooks and
 * gateway start reach different instances), and one line a minute is what an operator reads;
 * the same line per instance or per request would bury it.
 */

/** How long a line stays said before it may be said again. */
export const QUIET_MS = 60_000;

const saidAt = processSlot<Map<string, number>>(`${PLUGIN_ID}.said-lines`);

/** Whether the line `key` is due (not said in this process within QUIET_MS); records it as said. */
export function shouldSay(key: string, now: number = Date.now()): boolean {
  const said = saidAt.obtain("all", () => new Map());
  const last = said.get(key);
  if (last !== undefined && now - last < QUIET_MS) return false;
  said.set(key, now);
  return true;
}

const processSession = processSlot<string>(`${PLUGIN_ID}.process-session-id`);

/**
 * The session id of this process's calls that have none of the host's (its standalone
 * completions, native-identity.ts): made once per process, so those calls share one TaaS
 * session instead of each minting its own.
 */
export function processSessionId(): string {
  return processSession.obtain("all", () => randomUUID());
}
