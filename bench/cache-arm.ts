import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RouteReader } from "@cloudsigma/taas-core/contracts/route-store";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import type { RecordedRequest, RunningEmulator } from "@cloudsigma/taas-emulator";
import {
  chatCompletionsTurn,
  createStateDir,
  freePort,
  ledgerPlugin,
  optimizerPlugin,
  type PluginUnderTest,
  type ProviderModel,
  reapStateDirProcesses,
  startGateway,
  writeHostConfig,
} from "../e2e/harness/index.ts";
import { type Arrivals, type DriveResult, drive, progressLine } from "./fleet-driver.ts";

/** One way of running the same conversations: what (if anything) keeps them on one replica. */
export interface Arm {
  name: string;
  /** The optimizer steers (sends its ids) in this scope instead of only observing. */
  optimizer: false | "workspace" | "session" | "bounded";
  /** The host sends its own prompt_cache_key (the model's compat.supportsPromptCacheKey). */
  hostCacheKey: boolean;
  /** The suite's plugins this arm loads: the ledger and optimizer (default) or a given list. */
  plugins?: PluginUnderTest[];
}

export interface Script extends Omit<Arrivals, "idleMs"> {
  /** The emulator's and the ledger's cache lifetime (short, so idle gaps can pass it quickly). */
  ttlSeconds: number;
  /** The bounded scope's requests a minute per id: the emulator's per-slot figure. */
  boundedRpm: number;
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
  shard: number | null;
  truth: RecordedRequest | undefined;
}

export interface ArmRun {
  calls: JoinedCall[];
  turns: DriveResult;
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
 * (steering or only observing, so every arm is accounted the same way), turns sent to the
 * gateway's `/v1/chat/completions` by the arrival process (fleet-driver.ts), and returns each
 * call with the turns' outcome. Agent 1 changes its system prompt (AGENTS.md) before its first
 * session's turn 3; agent 2's first session makes a tool round trip on turn 2.
 */
export async function runArm(arm: Arm, script: Script, emulator: RunningEmulator): Promise<ArmRun> {
  const state = await createStateDir(`bench-cache-${arm.name.replaceAll(/\W+/g, "-")}`);
  const port = await freePort();
  const token = "bench-token";
  const agents = Array.from({ length: script.agents }, (_, i) => `agent${i + 1}`);
  const workspace = (agent: string) => join(state.dir, `workspace-${agent}`);
  await Promise.all(agents.map((agent) => mkdir(workspace(agent), { recursive: true })));
  await writeHostConfig(state, {
    baseUrl: emulator.url,
    models: script.models.map((model) =>
      arm.hostCacheKey ? { ...model, compat: { supportsPromptCacheKey: true } } : model,
    ),
    agents: agents.map((id) => ({ id, workspace: workspace(id) })),
    plugins: arm.plugins ?? [
      ledgerPlugin({ cacheTtlSeconds: script.ttlSeconds, missLogTokens: 0 }),
      optimizerPlugin({
        sendHints: arm.optimizer !== false,
        affinityScope: arm.optimizer === false ? "workspace" : arm.optimizer,
        boundedLoad: {
          requestsPerMinute: script.boundedRpm,
          idleSeconds: Math.max(10, script.ttlSeconds),
        },
      }),
    ],
    gateway: { port, token },
    chatCompletions: true,
  });
  emulator.reset();
  // A loaded 2-core machine can take minutes to start a gateway.
  const gateway = await startGateway(state, { port, token, readyTimeoutMs: 300_000 });
  let turns: DriveResult;
  try {
    turns = await drive(
      { ...script, idleMs: (script.ttlSeconds + 2) * 1000 },
      (index) => agents[index] ?? `agent${index + 1}`,
      async (ref) => {
        if (ref.agentIndex === 0 && ref.session === 1 && ref.turn === 3) {
          await writeFile(
            join(workspace(ref.agent), "AGENTS.md"),
            "# Rules\nAnswer in one short line.\n",
          );
        }
        const message =
          ref.agentIndex === 1 && ref.session === 1 && ref.turn === 2
            ? TOOL_MESSAGE
            : (MESSAGES[(ref.turn - 1) % MESSAGES.length] ?? "Next.");
        await chatCompletionsTurn(
          { port, token },
          ref.agent,
          `bench-${ref.agent}-s${ref.session}`,
          message,
        );
      },
      progressLine(arm.name),
    );
  } finally {
    await gateway.stop();
    await reapStateDirProcesses(state.dir, 1_000);
  }
  try {
    return { calls: arm.plugins ? [] : joinCalls(state.dir, emulator), turns };
  } catch (error) {
    // No ledger usually means no turn got through: say why the first one failed.
    const first = turns.failures[0];
    throw first ? new Error(`${errorText(error)}; first failed turn: ${first}`) : error;
  } finally {
    // BENCH_KEEP_STATE=1 keeps the arm's state dir (gateway logs, ledger) for a look after.
    if (process.env.BENCH_KEEP_STATE === "1") console.log(`  kept: ${state.dir}`);
    else await state.remove();
  }
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
  affinity_shard: number | null;
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
        shard: row.affinity_shard,
        truth: requestId ? byRequestId.get(requestId) : undefined,
      };
    });
  } finally {
    db.close();
    routes.close();
  }
}
