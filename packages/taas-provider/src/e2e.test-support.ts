import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEFAULT_API_KEY,
  type ModelRow,
  type RecordedRequest,
  type RunningEmulator,
} from "@cloudsigma/taas-emulator";
import {
  type AgentTurn,
  type AgentTurnOptions,
  runAgentTurn,
  runOpenClaw,
  type StateDir,
} from "../../../e2e/harness/index.ts";

// Shared by this package's *.e2e.test.ts files: the plugin folder as a user installs it
// (dist/ is built by the e2e global setup), the emulator's key, and a record of everything the
// host printed so each file can prove the key never appears in it.

export const PLUGIN_DIR = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
export const KEY = DEFAULT_API_KEY;

/**
 * The host config's `plugins` block of an operator who loads this plugin from its folder and
 * points it at `baseUrl`. In the allowlist: the path-loaded plugin is accepted without a
 * provenance warning.
 */
export function pathLoadedPlugin(baseUrl: string) {
  return {
    plugins: {
      load: { paths: [PLUGIN_DIR] },
      allow: ["cloudsigma"],
      entries: { cloudsigma: { enabled: true, config: { baseUrl } } },
    },
  };
}

export interface HostRecorder {
  /** One CLI command; its stdout and stderr are kept. */
  cli(
    state: StateDir,
    args: string[],
    env?: Record<string, string>,
  ): ReturnType<typeof runOpenClaw>;
  /** One agent turn; its JSON is kept. */
  turn(state: StateDir, options: AgentTurnOptions): Promise<AgentTurn>;
  /** Keeps every log file the host children wrote for `state` (call before removing it). */
  keepLogs(state: StateDir): Promise<void>;
  /** Kept texts that contain `secret`. */
  containing(secret: string): string[];
  readonly size: number;
}

export function recordHost(): HostRecorder {
  const outputs: string[] = [];
  return {
    async cli(state, args, env) {
      const result = await runOpenClaw(state, args, { env, timeoutMs: 150_000 });
      outputs.push(result.stdout, result.stderr);
      return result;
    },
    async turn(state, options) {
      const turn = await runAgentTurn(state, options);
      outputs.push(JSON.stringify(turn.json));
      return turn;
    },
    async keepLogs(state) {
      for (const name of await readdir(state.logs)) {
        outputs.push(await readFile(join(state.logs, name), "utf8"));
      }
    },
    containing: (secret) => outputs.filter((text) => text.includes(secret)),
    get size() {
      return outputs.length;
    },
  };
}

/** Chat requests the emulator recorded after `seq`, and the latest `seq`. */
export function emulatorLog(emulator: () => RunningEmulator) {
  return {
    lastSeq: () => emulator().requests().at(-1)?.seq ?? 0,
    since: (seq: number, path = "/v1/chat/completions") =>
      emulator()
        .requests()
        .filter((request) => request.seq > seq && request.path === path),
  };
}

export function bodyOf(request: RecordedRequest | undefined): Record<string, unknown> {
  const body = request?.body;
  if (typeof body !== "object" || body === null) throw new Error("request has no JSON body");
  return body as Record<string, unknown>;
}

/**
 * `openclaw onboard` as an operator runs it unattended: with the key flag, or (to re-onboard
 * with the key already stored) with the auth choice alone.
 */
export function onboardArgs(key: string | undefined): string[] {
  return [
    ...["onboard", "--non-interactive", "--accept-risk", "--mode", "local"],
    ...(key === undefined
      ? ["--auth-choice", "cloudsigma-api-key"]
      : ["--cloudsigma-api-key", key]),
    ...["--skip-channels", "--skip-daemon", "--skip-health", "--skip-skills", "--skip-search"],
    ...["--skip-hooks", "--skip-ui", "--json"],
  ];
}

export const isChatRow = (row: ModelRow) =>
  (row.type === "chat" || row.type === "vision") && row.capabilities.chat_completions;

export interface HostConfigFile {
  plugins: { load: { paths: string[] }; entries: Record<string, Record<string, unknown>> };
  [key: string]: unknown;
}

/** The host's config file; `T` names the parts a test reads (JSON, so unchecked). */
export async function readHostConfig<T extends object = HostConfigFile>(
  state: StateDir,
): Promise<T> {
  return JSON.parse(await readFile(join(state.dir, "openclaw.json"), "utf8")) as T;
}

export async function writeHostConfigFile(state: StateDir, config: object): Promise<void> {
  await writeFile(join(state.dir, "openclaw.json"), `${JSON.stringify(config, null, 2)}\n`, {
    mode: 0o600,
  });
}
