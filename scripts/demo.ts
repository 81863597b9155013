#!/usr/bin/env node
// npm run demo: what the optimizer saves, measured in the real OpenClaw host. Starts the TaaS
// emulator (4 replicas, its default `documented` profile: TaaS's rules as its sources describe
// them, keyless continuity guesses included), runs two agents for several turns through a real
// gateway with the optimizer, then the same script without it, and prints per-turn routing and
// cache figures side by side. Offline: everything runs on 127.0.0.1.
import { execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  type EmulatorProfile,
  PROFILE_DEFAULTS,
  type RecordedRequest,
  type RunningEmulator,
  SEED_MODELS,
  startEmulator,
} from "@cloudsigma/taas-emulator";
import {
  createStateDir,
  freePort,
  gatewayCall,
  providerModels,
  REPO_ROOT,
  reapStateDirProcesses,
  runAgentTurn,
  startGateway,
  writeHostConfig,
} from "../e2e/harness/index.ts";

const AGENTS = ["alpha", "beta"] as const;
const TURNS = Number(process.env.DEMO_TURNS ?? 4);
const MESSAGES = [
  "Summarise the plan for today.",
  "List three risks.",
  "Which one matters most?",
  "Draft a one-line status.",
  "Anything else?",
  "Thanks.",
];
/** The emulator catalog's own illustrative price (USD per million tokens), not TaaS's. */
const PRICE = SEED_MODELS.find((m) => m.id === "gpt-5.5")?.pricing ?? { input: 0, output: 0 };
/** Cached input billed at this share of the input price (illustrative too). */
const CACHED_SHARE = 0.1;
/** TaaS's rules as its sources describe them (the emulator's default, named so it stays so). */
const PROFILE: EmulatorProfile = "documented";
const RULES = PROFILE_DEFAULTS[PROFILE];

interface TurnRow {
  agent: string;
  turn: number;
  replica: string;
  prompt: number;
  cached: number;
  /** TaaS's match_reason as the emulator recorded it, and its fallback reason when no id counted. */
  match: string;
}

async function runScript(
  emulator: RunningEmulator,
  withPlugin: boolean,
): Promise<{ rows: TurnRow[]; lastRoute?: unknown }> {
  const label = withPlugin ? "with optimizer" : "without optimizer";
  const state = await createStateDir(withPlugin ? "demo-with" : "demo-without");
  const port = await freePort();
  const workspaces = Object.fromEntries(
    AGENTS.map((agent) => [agent, join(state.dir, `workspace-${agent}`)]),
  );
  await Promise.all(Object.values(workspaces).map((dir) => mkdir(dir, { recursive: true })));
  await writeHostConfig(state, {
    baseUrl: emulator.url,
    models: providerModels(),
    agents: AGENTS.map((id) => ({ id, workspace: workspaces[id] })),
    // Both runs list the plugin (same plugins.allow, so the same host and prompt); only one enables it.
    plugins: [
      {
        id: "openclaw-taas-affinity",
        path: join(REPO_ROOT, "packages", "token-cache-optimizer"),
        enabled: withPlugin,
      },
    ],
    gateway: { port, token: "demo-token" },
  });
  emulator.reset();
  process.stdout.write(`\n[${label}] starting a gateway...`);
  const gateway = await startGateway(state, { port, token: "demo-token" });
  const rows: TurnRow[] = [];
  try {
    for (let turn = 1; turn <= TURNS; turn++) {
      for (const agent of AGENTS) {
        const before = emulator.requests().length;
        await runAgentTurn(state, {
          agent,
          message: MESSAGES[(turn - 1) % MESSAGES.length] ?? "Next.",
        });
        const request = emulator
          .requests()
          .slice(before)
          .filter((r: RecordedRequest) => r.path === "/v1/chat/completions")
          .at(-1);
        rows.push({
          agent,
          turn,
          replica: request?.replica ?? "?",
          prompt: request?.promptTokens ?? 0,
          cached: request?.cachedTokens ?? 0,
          match: request ? matchOf(request) : "?",
        });
        process.stdout.write(".");
      }
    }
    const lastRoute = withPlugin
      ? (await gatewayCall(state, "taas.autorouter.lastRoute", { agentId: "alpha" })).json
      : undefined;
    return { rows, lastRoute };
  } finally {
    await gateway.stop();
    await reapStateDirProcesses(state.dir, 1_000);
    await state.remove();
  }
}

const pct = (part: number, whole: number) =>
  whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "-";
const pad = (value: string | number, width: number) => String(value).padStart(width);
const cost = (rows: TurnRow[]) =>
  rows.reduce(
    (sum, r) =>
      sum + ((r.prompt - r.cached) * PRICE.input + r.cached * PRICE.input * CACHED_SHARE) / 1e6,
    0,
  );

function printComparison(withRows: TurnRow[], withoutRows: TurnRow[]): void {
  console.log("\n\nPer agent and turn (emulator's own accounting, o200k tokens):\n");
  console.log(
    `${"agent".padEnd(6)} ${pad("turn", 4)} | ${"with optimizer".padEnd(38)} | without optimizer`,
  );
  console.log(
    `${"".padEnd(11)} | ${"replica".padEnd(10)} ${pad("prompt", 7)} ${pad("cached", 7)} ${pad("hit", 7)}   | ${"replica".padEnd(10)} ${pad("prompt", 7)} ${pad("cached", 7)} ${pad("hit", 7)}`,
  );
  for (const [index, w] of withRows.entries()) {
    const o = withoutRows[index];
    const side = (r: TurnRow | undefined) =>
      r
        ? `${r.replica.padEnd(10)} ${pad(r.prompt, 7)} ${pad(r.cached, 7)} ${pad(pct(r.cached, r.prompt), 7)}`
        : "";
    console.log(`${w.agent.padEnd(6)} ${pad(w.turn, 4)} | ${side(w)}   | ${side(o)}`);
  }
  const total = (rows: TurnRow[]) => ({
    prompt: rows.reduce((s, r) => s + r.prompt, 0),
    cached: rows.reduce((s, r) => s + r.cached, 0),
    replicas: new Set(rows.map((r) => `${r.agent}@${r.replica}`)).size,
  });
  const a = total(withRows);
  const b = total(withoutRows);
  console.log("\nTotals:");
  console.log(`  ${"".padEnd(28)} ${pad("with", 14)} ${pad("without", 14)}`);
  console.log(`  ${"prompt tokens".padEnd(28)} ${pad(a.prompt, 14)} ${pad(b.prompt, 14)}`);
  console.log(`  ${"cached tokens".padEnd(28)} ${pad(a.cached, 14)} ${pad(b.cached, 14)}`);
  console.log(
    `  ${"cache hit rate".padEnd(28)} ${pad(pct(a.cached, a.prompt), 14)} ${pad(pct(b.cached, b.prompt), 14)}`,
  );
  console.log(
    `  ${"agent-replica pairs used".padEnd(28)} ${pad(a.replicas, 14)} ${pad(b.replicas, 14)}`,
  );
  console.log(
    `  ${"input cost (USD, illustr.)".padEnd(28)} ${pad(cost(withRows).toFixed(4), 14)} ${pad(cost(withoutRows).toFixed(4), 14)}`,
  );
  console.log(
    "\nHow the emulator matched each turn's call (TaaS's match_reason, fallback_reason):",
  );
  console.log(`  with:    ${matchSummary(withRows)}`);
  console.log(`  without: ${matchSummary(withoutRows)}`);
  const saved = cost(withoutRows) > 0 ? 1 - cost(withRows) / cost(withoutRows) : 0;
  console.log(
    `\nThe optimizer cut input cost by ${(saved * 100).toFixed(1)}% on this script, at the illustrative prices above.`,
  );
}

function matchOf(request: RecordedRequest): string {
  const reason = request.matchReason ?? "?";
  return request.fallbackReason ? `${reason} (${request.fallbackReason})` : reason;
}

function matchSummary(rows: readonly TurnRow[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.match, (counts.get(row.match) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${reason} ${count}`).join(", ");
}

execFileSync(process.execPath, [join(REPO_ROOT, "scripts", "build.ts")], { stdio: "inherit" });
const emulator = await startEmulator({ replicas: 4, profile: PROFILE });
try {
  console.log(
    `TaaS emulator on ${emulator.url}, profile ${PROFILE} (every rule TaaS is documented to follow), 4 replicas; ${AGENTS.length} agents x ${TURNS} turns per run.`,
  );
  console.log(
    `gpt-5.5 caches as the OpenAI family: reads stop at ${RULES.cachePlateauTokens} tokens; an id counts only with an agent id; keyless calls get TaaS's ${RULES.keylessRouting} guesses.`,
  );
  console.log(
    `Prices are illustrative, not TaaS's: the emulator catalog's own gpt-5.5 input price, $${PRICE.input} per million tokens, cached input at ${CACHED_SHARE * 100}% ($${PRICE.input * CACHED_SHARE}).`,
  );
  const withRun = await runScript(emulator, true);
  const withoutRun = await runScript(emulator, false);
  printComparison(withRun.rows, withoutRun.rows);
  console.log(
    '\nopenclaw gateway call taas.autorouter.lastRoute --params \'{"agentId":"alpha"}\' --json',
  );
  console.log(JSON.stringify(withRun.lastRoute, null, 2));
} finally {
  await emulator.close();
}
