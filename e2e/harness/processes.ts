import { readdir, readFile } from "node:fs/promises";
import { poll } from "./wait.ts";

/**
 * PIDs of live processes whose environment points OPENCLAW_STATE_DIR at `stateDir`.
 * Every host child inherits that variable, so this finds strays a PID list would miss
 * (workers, brokers, respawned launchers). Linux only: reads /proc.
 */
export async function processesUsingStateDir(stateDir: string): Promise<number[]> {
  const needle = Buffer.from(`OPENCLAW_STATE_DIR=${stateDir}\0`);
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`);
      if (environ.includes(needle)) found.push(pid);
    } catch {
      // Exited while we looked, or not ours to read.
    }
  }
  return found;
}

/** Waits until no process uses the state dir, SIGKILLs what is left after `graceMs`. */
export async function reapStateDirProcesses(stateDir: string, graceMs = 5_000): Promise<number[]> {
  let left: number[] = [];
  // Running out of time is expected here (that is what the SIGKILL is for), so poll, not waitFor.
  await poll(
    async () => {
      left = await processesUsingStateDir(stateDir);
      return left.length === 0;
    },
    { timeoutMs: graceMs },
  );
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  return left;
}
