import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, createWriteStream } from "node:fs";
import { delimiter, join } from "node:path";
import { waitFor } from "./wait.ts";

/*
 * Servers the suite does not ship but tests against (Debian's prometheus and postgresql, which
 * .ci/run installs). A missing binary is a failure that names the package, never a skip: a CI
 * run without the server must not pass by testing nothing.
 */

/** The absolute path of `name` on PATH or in `extraDirs`; throws naming the Debian package. */
export function requireBinary(name: string, pkg: string, extraDirs: string[] = []): string {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  throw new Error(
    `${name} not found (looked in PATH and ${extraDirs.join(", ") || "nowhere else"}): install Debian's ${pkg} (apt-get install ${pkg}); .ci/run does`,
  );
}

export interface RunningServer {
  readonly pid: number;
  output(): string;
  /** SIGTERM to the process group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns a server in its own process group, logging to `logFile`, until `ready` holds. */
export async function startServer(options: {
  label: string;
  command: string;
  args: string[];
  logFile: string;
  ready: (output: string) => boolean | Promise<boolean>;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}): Promise<RunningServer> {
  const child = spawn(options.command, options.args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  const captured = captureOutput(child, options.logFile);
  const output = () => captured.text;
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.label} did not start (no pid)`);
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(child, "SIGTERM");
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(`${options.label} ready`, () => options.ready(output()), {
      timeoutMs: options.timeoutMs ?? 30_000,
      intervalMs: 100,
      giveUpIf: () =>
        child.exitCode !== null || child.signalCode !== null
          ? `${options.label} exited (code ${child.exitCode})`
          : undefined,
      logs: options.logFile,
    });
  } catch (error) {
    await stop(1_000);
    throw new Error(`${String(error)}; output tail:\n${output().slice(-2000)}`, { cause: error });
  }
  return { pid, output, stop };
}

/** Collects a child's stdout and stderr, and copies them to `logFile` (closed when it exits). */
export function captureOutput(child: ChildProcess, logFile: string): { readonly text: string } {
  const log = createWriteStream(logFile);
  const captured = { text: "" };
  const onData = (chunk: Buffer) => {
    captured.text += chunk.toString("utf8");
    log.write(chunk);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  child.on("close", () => log.end());
  return captured;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
