import { createServer } from "node:net";
import { join } from "node:path";
import { DEFAULT_GATEWAY_TOKEN } from "./config.ts";
import {
  type CliResult,
  killGroup,
  parseJsonOutput,
  runOpenClaw,
  spawnOpenClaw,
} from "./openclaw-cli.ts";
import type { StateDir } from "./state-dir.ts";
import { captureOutput } from "./system-server.ts";
import { waitFor } from "./wait.ts";

export interface RunningGateway {
  readonly pid: number;
  readonly port: number;
  readonly token: string;
  /** Everything the gateway printed so far (stdout and stderr interleaved). */
  output(): string;
  /** SIGTERM to the gateway's process group, SIGKILL after `graceMs`; resolves on exit. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, no shutdown drain: for crash tests. */
  kill(): Promise<void>;
}

/** A free TCP port on loopback (bound, read, released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let gatewayCounter = 0;

/**
 * Starts `openclaw gateway run` on loopback for this state dir and waits for the host's own
 * readiness line ("[gateway] ready"; the earlier "spawn broker ready" is not readiness).
 */
export async function startGateway(
  state: StateDir,
  options: {
    port: number;
    token?: string;
    env?: Record<string, string | undefined>;
    readyTimeoutMs?: number;
  },
): Promise<RunningGateway> {
  const name = `gateway-${++gatewayCounter}`;
  const child = spawnOpenClaw(
    state,
    ["gateway", "run", "--port", String(options.port), "--bind", "loopback"],
    {
      env: options.env,
      detached: true,
    },
  );
  const captured = captureOutput(child, join(state.logs, `${name}.log`));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("gateway did not start (no pid)");
  try {
    await waitFor("the gateway's ready line", () => /\[gateway\] ready/.test(captured.text), {
      timeoutMs: options.readyTimeoutMs ?? 90_000,
      intervalMs: 100,
      // A gateway that exited will never be ready: say so now, not after the time-out.
      giveUpIf: () =>
        child.exitCode !== null || child.signalCode !== null
          ? `the gateway exited (code ${child.exitCode}, signal ${child.signalCode})`
          : undefined,
      logs: join(state.logs, `${name}.log`),
    });
  } catch (error) {
    killGroup(child, "SIGKILL");
    await exited;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}; output tail:\n${captured.text.slice(-3000)}`, {
      cause: error,
    });
  }
  return {
    pid,
    port: options.port,
    token: options.token ?? DEFAULT_GATEWAY_TOKEN,
    output: () => captured.text,
    stop: async (graceMs = 15_000) => {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    kill: async () => {
      killGroup(child, "SIGKILL");
      await exited;
    },
  };
}

/**
 * `openclaw gateway call <method> --params <json> --json`. The CLI exits 1 for an error answer
 * but still prints it as JSON (`{ ok: false, error: { code, message } }`), so both are parsed.
 */
export async function gatewayCall<T = unknown>(
  state: StateDir,
  method: string,
  params?: Record<string, unknown>,
  options: { token?: string; env?: Record<string, string | undefined> } = {},
): Promise<{ result: CliResult; json: T }> {
  const args = ["gateway", "call", method, "--json"];
  if (params) args.push("--params", JSON.stringify(params));
  if (options.token) args.push("--token", options.token);
  const result = await runOpenClaw(state, args, { env: options.env, logName: `call-${method}` });
  return { result, json: parseJsonOutput<T>({ ...result, code: 0 }, `gateway call ${method}`) };
}
