import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The OpenClaw state dir as the host resolves it: OPENCLAW_STATE_DIR when set, else
 * ~/.openclaw. Plugins prefer the host's `api.runtime.state.resolveStateDir()`; this is the
 * fallback for code that runs without a runtime (CLI metadata mode, tests inject `env`).
 */
export function resolveStateDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.OPENCLAW_STATE_DIR?.trim();
  return fromEnv ? fromEnv : join(homedir(), ".openclaw");
}
