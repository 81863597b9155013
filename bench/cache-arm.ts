import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RouteReader } from "@cloudsigma/taas-core/contracts/route-store";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import type { RecordedRequest, RunningEmulator } from "@cloudsigma/taas-emulator";
import {
  createStateDir,
  freePort,
  ledgerPlugin,
  optimizerPlugin,
  type ProviderModel,
  reapStateDirProcesses,
  runAgentTurn,
  startGateway,
  writeHostConfig,
} from "../e2e/harness/index.ts";

/** One way of running the same conversations: what (if anything) keeps them on one replica. */
export interface Arm {
  name: string;
  /** The optimizer steers (sends its ids) instead of only observing. */
  optimizer: false | "workspace" | "session";
  /** The host sends its own prompt_cache_key (the model's compat.supportsPromptCacheKey). */
  hostCacheKey: boolean;
}

export interface Script {
  agents: number;
  sessions: number;
  turns: number;
  /** The emulator's and the ledger's cache lifetime (short, so one idle gap can pass it). */
  ttlSeconds: number;
  concurrency: number;
  models: ProviderModel[];
}

/** One model call as the ledger stored it, joined to the emulator's record of it. */
export interface JoinedCall {
  agent: string;
  prompt: number;
  cached: number;
  expected: number | null;
  missed: number | null;
  invalidated: number | null;
  cause: string | null;
  costNano: number | null;
  truth: RecordedRequest | undefined;
}

const MESSAGES = [
  "Summarise the plan for today.",
  "List three risks.",
  "Which one matters most?",
  "Draft a one-line status.",
  "Anything else to add?",
  "Thanks, wrap up.",
];
const TOOL_MESSAGE = 'Look something up [[tool:tool_search {"query":"time"}]]';

/**
 * Runs the script's conversations through a real gateway with the ledger and the optimizer
 * (steering or only observing, so every arm is accounted the same way) and returns each call.
 * Agent 1 changes its system prompt (AGENTS.md) before turn 3 of its first session, agent 2
 * makes a tool round trip on turn 2, agent 3 waits past the TTL before its first session's last
 * turn. A turn the host keeps failing (under load) is left out and counted, not fatal.
 */
export async function runArm(
  arm: Arm,
  script: Script,
  emulator: RunningEmulator,
): Promise<JoinedCall[]> {
  const state = await createStateDir(`bench-cache-${arm.name.replaceAll(/\W+/g, "-")}`);
  const port = await freePort();
  const agents = Array.from({ length: script.agents }, (_, i) => `agent${i + 1}`);
  const workspace = (agent: string) => join(state.dir, `workspace-${agent}`);
  await Promise.all(agents.map((agent) => mkdir(workspace(agent), { recursive: true })));
  await writeHostConfig(state, {
    baseUrl: emulator.url,
    models: script.models.map((model) =>
      arm.hostCacheKey ? { ...model, compat: { supportsPromptCacheKey: true } } : model,
    ),
    agents: agents.map((id) => ({ id, workspace: workspace(id) })),
    plugins: [
      ledgerPlugin({ cacheTtlSeconds: script.ttlSeconds, missLogTokens: 0 }),
      optimizerPlugin({
        sendHints: arm.optimizer !== false,
        affinityScope: arm.optimizer === "session" ? "session" : "workspace",
      }),
    ],
    gateway: { port, token: "bench-token" },
  });
  emulator.reset();
  const gateway = await startGateway(state, { port, token: "bench-token" });
  try {
    const queue = [...agents];
    const worker = async () => {
      for (let agent = queue.shift(); agent; agent = queue.shift()) {
        const index = agents.indexOf(agent);
        await converse(state, arm.name, agent, index, script, workspace(agent));
      }
    };
    await Promise.all(Array.from({ length: script.concurrency }, worker));
  } finally {
    await gateway.stop();
    await reapStateDirProcesses(state.dir, 1_000);
  }
  try {
    return joinCalls(state.dir, emulator);
  } finally {
    await state.remove();
  }
}

async function converse(
  state: Awaited<ReturnType<typeof createStateDir>>,
  armName: string,
  agent: string,
  index: number,
  script: Script,
  workspace: string,
): Promise<void> {
  for (let session = 1; session <= script.sessions; session++) {
    for (let turn = 1; turn <= script.turns; turn++) {
      if (index === 0 && session === 1 && turn === 3) {
        await writeFile(join(workspace, "AGENTS.md"), "# Rules\nAnswer in one short line.\n");
      }
      // The idle gap comes before the last turn of agent 3's first session.
      if (index === 2 && session === 1 && turn === Math.max(2, script.turns)) {
        await new Promise((resolve) => setTimeout(resolve, (script.ttlSeconds + 2) * 1000));
      }
      const message =
        index === 1 && session === 1 && turn === 2
          ? TOOL_MESSAGE
          : (MESSAGES[(turn - 1) % MESSAGES.length] ?? "Next.");
      const sessionKey = `agent:${agent}:s${session}`;
      await turnWithRetry(state, `${armName}: ${agent} ${sessionKey} turn ${turn}`, {
        agent,
        message,
        sessionKey,
      });
    }
  }
}

/** Turns the host failed (seen under load: "Agent database cleanup failed") and that were retried. */
export const retriedTurns: string[] = [];
/** Turns the host failed four times: left out of the arm (the bench says how many). */
export const failedTurns: string[] = [];

async function turnWithRetry(
  state: Awaited<ReturnType<typeof createStateDir>>,
  label: string,
  options: Parameters<typeof runAgentTurn>[1],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await runAgentTurn(state, options);
      return;
    } catch (error) {
      retriedTurns.push(`${label}, attempt ${attempt}: ${failureLine(error)}`);
      if (attempt >= 4) {
        failedTurns.push(label);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 5000 * attempt));
    }
  }
}

/**
 * What a failed CLI run said: its stderr's first and last lines (the error is usually one of them,
 * a help hint the other), else the message's first line.
 */
function failureLine(error: unknown): string {
  const text = String(error);
  const stderr = text.split("\nstderr: ")[1] ?? "";
  const lines = stderr.split("\n").filter((line) => line.trim() !== "");
  const ends = [...new Set([lines[0], lines.at(-1)])].filter((line) => line !== undefined);
  return (ends.length > 0 ? ends.join(" ... ") : (text.split("\n")[0] ?? "")).slice(0, 240);
}

interface LedgerRowRead {
  agent_id: string | null;
  call_id: string | null;
  input: number;
  cache_read: number;
  cache_write: number;
  expected_cache_read: number | null;
  missed_tokens: number | null;
  invalidated_tokens: number | null;
  miss_cause: string | null;
  cost_nusd: number | null;
}

/** The ledger's call rows, each joined by its captured request id to the emulator's record. */
function joinCalls(stateDir: string, emulator: RunningEmulator): JoinedCall[] {
  const path = join(stateDir, "usage-ledger", "ledger.sqlite");
  if (!existsSync(path)) {
    const missing = existsSync(stateDir) ? "the ledger wrote no database" : "the state dir is gone";
    throw new Error(`no ledger at ${path}: ${missing}`);
  }
  const db = openDatabase(path, { readOnly: true });
  const routes = new RouteReader(stateDir);
  const byRequestId = new Map(emulator.requests().map((r) => [r.requestId, r]));
  try {
    const rows = db
      .prepare("SELECT * FROM usage_rows WHERE granularity = 'call' ORDER BY ts")
      .all() as unknown as LedgerRowRead[];
    return rows.map((row) => {
      const requestId = row.call_id ? routes.byCallId(row.call_id)?.requestId : undefined;
      return {
        agent: row.agent_id ?? "?",
        prompt: row.input + row.cache_read + row.cache_write,
        cached: row.cache_read,
        expected: row.expected_cache_read,
        missed: row.missed_tokens,
        invalidated: row.invalidated_tokens,
        cause: row.miss_cause,
        costNano: row.cost_nusd,
        truth: requestId ? byRequestId.get(requestId) : undefined,
      };
    });
  } finally {
    db.close();
    routes.close();
  }
}
