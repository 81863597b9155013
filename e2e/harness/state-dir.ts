import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** An isolated OpenClaw home for one test file: nothing here ever touches `~/.openclaw`. */
export interface StateDir {
  /** The value of OPENCLAW_STATE_DIR; `openclaw.json` lives here. */
  readonly dir: string;
  /** Per-test logs: CLI output, gateway stdout/stderr, the host's own log file. */
  readonly logs: string;
  /** Used as HOME and TMPDIR of every child, so a stray default path lands inside the temp dir. */
  readonly home: string;
  readonly tmp: string;
  remove(): Promise<void>;
}

export async function createStateDir(label: string): Promise<StateDir> {
  const root = await mkdtemp(join(tmpdir(), `ocsuite-${label.replace(/[^a-z0-9-]/gi, "-")}-`));
  const dir = join(root, "state");
  const logs = join(root, "logs");
  const home = join(root, "home");
  const tmp = join(root, "tmp");
  await Promise.all([dir, logs, home, tmp].map((path) => mkdir(path, { recursive: true })));
  return {
    dir,
    logs,
    home,
    tmp,
    // Keep the logs of a failed run for reading: set OCSUITE_KEEP_STATE=1.
    remove: async () => {
      if (process.env.OCSUITE_KEEP_STATE !== "1") await rm(root, { recursive: true, force: true });
    },
  };
}
