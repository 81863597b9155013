import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { StateDir } from "./state-dir.ts";

/** The repository root (this file is e2e/harness/openclaw-cli.ts). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The real host's CLI entry, from the pinned `openclaw` devDependency. */
export const OPENCLAW_ENTRY = join(REPO_ROOT, "node_modules", "openclaw", "openclaw.mjs");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Name of the log file pair under `state.logs` (default: the first argument). */
  logName?: string;
}

let logCounter = 0;

/**
 * The environment of every host child: the parent's minus anything OpenClaw- or
 * provider-related, so the machine's own settings never leak into a test.
 */
export function childEnv(state: StateDir, extra: Record<string, string | undefined> = {}) {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    // The host changes behaviour under a test runner (VITEST, NODE_ENV=test): it would
    // print nothing and skip its real startup. Children must run as an operator's would.
    if (
      /^(OPENCLAW_|CLOUDSIGMA_|TAAS_|OPENAI_|ANTHROPIC_|VITEST|NODE_ENV$|NODE_OPTIONS$|TEST$)/.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  Object.assign(env, {
    OPENCLAW_STATE_DIR: state.dir,
    HOME: state.home,
    TMPDIR: state.tmp,
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function spawnOpenClaw(
  state: StateDir,
  args: readonly string[],
  options: CliOptions & { detached?: boolean } = {},
): ChildProcess {
  return spawn(process.execPath, [OPENCLAW_ENTRY, ...args], {
    cwd: state.home,
    env: childEnv(state, options.env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
}

/** Runs one CLI command to completion; output is kept in memory and in `state.logs`. */
export function runOpenClaw(
  state: StateDir,
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const started = Date.now();
  const name = `${String(++logCounter).padStart(3, "0")}-${(options.logName ?? args.slice(0, 2).join("-")).replace(/[^a-z0-9.-]/gi, "_")}`;
  const child = spawnOpenClaw(state, args, { ...options, detached: true });
  const outLog = createWriteStream(join(state.logs, `${name}.out`));
  const errLog = createWriteStream(join(state.logs, `${name}.err`));
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    outLog.write(chunk);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    errLog.write(chunk);
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child, "SIGKILL");
      reject(
        new Error(
          `openclaw ${args.join(" ")} timed out after ${timeoutMs} ms; logs: ${state.logs}/${name}.*`,
        ),
      );
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      outLog.end();
      errLog.end();
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/** Signals the child's whole process group (it was spawned detached), falling back to the PID. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      process.kill(child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Parses the JSON a `--json` command printed, or throws with the command's output for context. */
export function parseJsonOutput<T = unknown>(result: CliResult, label: string): T {
  const text = result.stdout.trim();
  const start = text.search(/[[{]/);
  if (result.code !== 0 || start < 0) {
    throw new Error(
      `${label} failed (exit ${result.code}, signal ${result.signal}).\nstdout: ${text.slice(-2000)}\nstderr: ${result.stderr.slice(-2000)}`,
    );
  }
  try {
    return JSON.parse(text.slice(start)) as T;
  } catch (error) {
    throw new Error(`${label}: output is not JSON (${String(error)}): ${text.slice(0, 500)}`);
  }
}
