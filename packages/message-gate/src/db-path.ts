import { isAbsolute, join } from "node:path";
import { PLUGIN_ID } from "./config.ts";

export const DEFAULT_DB_FILE = "gate.sqlite";

/** `<stateDir>/message-gate/gate.sqlite`, or `dbPath` (relative to the state dir when relative). */
export function resolveGateDbPath(stateDir: string, dbPath: string | undefined): string {
  const configured = dbPath?.trim();
  if (!configured) return join(stateDir, PLUGIN_ID, DEFAULT_DB_FILE);
  return isAbsolute(configured) ? configured : join(stateDir, configured);
}
