import type { RunningGateway } from "./gateway.ts";
import { reapStateDirProcesses } from "./processes.ts";
import type { StateDir } from "./state-dir.ts";

export interface StartedHost {
  gateway?: RunningGateway | undefined;
  emulator?: { close(): Promise<void> } | undefined;
  state?: StateDir | undefined;
}

/**
 * Stops what a test file started: the gateway by its process group, then anything else still
 * running on the state dir (a CLI child a failed test left), then the emulator, then the temp
 * dir. Every step runs even when an earlier one fails, so one failure never leaves the rest
 * behind; the failures are reported together.
 */
export async function tearDownHost(started: StartedHost): Promise<void> {
  const { gateway, emulator, state } = started;
  const steps: Array<() => Promise<unknown>> = [
    async () => gateway?.stop(),
    async () => (state ? reapStateDirProcesses(state.dir, 1_000) : undefined),
    async () => emulator?.close(),
    async () => state?.remove(),
  ];
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, "tearing down the test host failed");
}
