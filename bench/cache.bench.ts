// npm run bench -- cache: how much of what the conversations allowed each arm read from cache, at
// fleet scale, why the rest was missed, what the TaaS slots did (spills, queueing), and whether
// the ledger's causes agree with the emulator's ground truth. Real host, one real gateway per
// arm, turns sent to its /v1/chat/completions from this one process (fleet-driver.ts); the
// emulator with 16 replicas and its `documented` profile (TaaS's keyless continuity guesses, ids
// only with an agent id, the OpenAI-family plateau, a per-slot request rate). Every arm runs the
// same seeded schedule and is accounted the same way (the optimizer only observes in the arms
// it does not steer). Then a hot agent (one agent, 16 parallel sessions) and the suite's
// overhead (gateway turns per second with the suite's plugins against none).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { SEED_MODELS, startEmulator } from "@cloudsigma/taas-emulator";
import {
  ledgerPlugin,
  optimizerPlugin,
  type PluginUnderTest,
  providerModels,
  REPO_ROOT,
} from "../e2e/harness/index.ts";
import { type Arm, runArm, type Script } from "./cache-arm.ts";
import {
  PROFILE,
  printCauses,
  printFailures,
  printMatches,
  printOverhead,
  printSlots,
  printSummary,
  type Result,
  RULES,
} from "./cache-report.ts";

const ARMS: Arm[] = [
  { name: "no affinity hints", optimizer: false, hostCacheKey: false },
  { name: "host prompt_cache_key", optimizer: false, hostCacheKey: true },
  { name: "optimizer, session scope", optimizer: "session", hostCacheKey: false },
  { name: "optimizer, workspace scope", optimizer: "workspace", hostCacheKey: false },
  { name: "optimizer, bounded scope", optimizer: "bounded", hostCacheKey: false },
];

const REPLICAS = 16;

/** Illustrative prices (USD per million tokens), not TaaS's: the ledger prices by them. */
const PRICES = { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 0 };

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/**
 * The plugins of the overhead arm: every suite plugin a plain chat turn passes through. The
 * orchestrator is left out (it rewrites main sessions' prompts to delegate: another script), and
 * so is the provider plugin (it would replace the provider config both arms share).
 */
const SUITE_PLUGINS = (ttlSeconds: number): PluginUnderTest[] => [
  ledgerPlugin({ cacheTtlSeconds: ttlSeconds, missLogTokens: 0 }),
  optimizerPlugin(),
  {
    id: "token-audit",
    path: join(REPO_ROOT, "packages", "token-audit"),
    allowConversationAccess: true,
  },
  { id: "message-gate", path: join(REPO_ROOT, "packages", "message-gate") },
];

export async function run(): Promise<void> {
  // The slot rate is the per-prefix+key guidance (15 a minute) sped up by BENCH_TIME_SCALE, with
  // the TTL shortened likewise, so a fleet-sized run takes minutes: the ratio of load to bound
  // is what the arms are compared on.
  const timeScale = env("BENCH_TIME_SCALE", 8);
  const slotRpm = RULES.slotRequestsPerMinute * timeScale;
  const script: Script = {
    agents: env("BENCH_CACHE_AGENTS", 64),
    sessions: env("BENCH_CACHE_SESSIONS", 4),
    turns: env("BENCH_CACHE_TURNS", 8),
    concurrency: env("BENCH_CACHE_CONCURRENCY", 8),
    thinkMs: env("BENCH_CACHE_THINK_MS", 2000),
    idleShare: env("BENCH_CACHE_IDLE_SHARE", 0.05),
    seed: env("BENCH_CACHE_SEED", 22),
    ttlSeconds: env("BENCH_CACHE_TTL_SECONDS", 20),
    boundedRpm: slotRpm,
    models: providerModels(SEED_MODELS.filter((row) => row.id === "gpt-5.5")).map((model) => ({
      ...model,
      cost: PRICES,
    })),
  };
  const hot: Script = {
    ...script,
    agents: 1,
    sessions: env("BENCH_HOT_SESSIONS", 16),
    turns: env("BENCH_HOT_TURNS", script.turns),
    thinkMs: env("BENCH_HOT_THINK_MS", 500),
    idleShare: 0,
    // Sessions that begin over a minute, as a busy agent's do, not in one burst: a conversation
    // is placed when it begins, so a burst lands wherever the id stood before it was hot.
    startSpreadMs: env("BENCH_HOT_START_SPREAD_MS", 60_000),
  };
  const overhead: Script = {
    ...script,
    agents: env("BENCH_OVERHEAD_AGENTS", 8),
    sessions: env("BENCH_OVERHEAD_SESSIONS", 2),
    turns: env("BENCH_OVERHEAD_TURNS", 4),
    thinkMs: 0,
    idleShare: 0,
  };
  execFileSync(process.execPath, [join(REPO_ROOT, "scripts", "build.ts")], { stdio: "inherit" });
  const emulator = await startEmulator({
    profile: PROFILE,
    replicas: REPLICAS,
    slotRequestsPerMinute: slotRpm,
    cacheTtlMs: script.ttlSeconds * 1000,
    historyTtlMs: script.ttlSeconds * 1000,
    recordLimit: 200_000,
  });
  console.log(
    `${script.agents} agents x ${script.sessions} parallel sessions x ${script.turns} turns per arm, at most ${script.concurrency} turns in flight, think time ${script.thinkMs} ms (exponential), ${100 * script.idleShare}% of gaps past the ${script.ttlSeconds} s TTL; hot agent: 1 agent x ${hot.sessions} sessions x ${hot.turns} turns, think ${hot.thinkMs} ms, sessions starting over ${(hot.startSpreadMs ?? 0) / 1000} s.`,
  );
  console.log(
    `Emulator profile ${PROFILE}, ${REPLICAS} replicas: keyless calls get TaaS's ${RULES.keylessRouting} guesses, an id counts only with an agent id, prompt_cache_key is no routing key, gpt-5.5 reads stop at ${RULES.cachePlateauTokens} tokens, ${slotRpm} requests a minute per replica (TaaS's ${RULES.slotRequestsPerMinute} x time scale ${timeScale}; a full replica ${RULES.slotOverflow}s), no replica header. Bounded scope: ${slotRpm} requests a minute per id.`,
  );
  console.log(
    `Prices are illustrative (USD/M tokens: input ${PRICES.input}, cached input ${PRICES.cacheRead}, output ${PRICES.output}).`,
  );
  const fleet: Result[] = [];
  const hotRuns: Result[] = [];
  const overheadRuns: Result[] = [];
  const failedArms: string[] = [];
  const attempt = async (into: Result[], arm: Arm, armScript: Script) => {
    process.stdout.write(`running: ${arm.name}\n`);
    // One arm that fails leaves the others' figures.
    try {
      into.push({ arm, run: await runArm(arm, armScript, emulator) });
    } catch (error) {
      failedArms.push(`${arm.name}: ${errorText(error)}`);
      process.stdout.write(`failed, left out: ${arm.name}: ${errorText(error)}\n`);
    }
  };
  // BENCH_CACHE_PARTS (fleet,hot,overhead) and BENCH_CACHE_ARMS (words of arm names) narrow a run.
  const parts = (process.env.BENCH_CACHE_PARTS ?? "fleet,hot,overhead").split(",");
  const only = (process.env.BENCH_CACHE_ARMS ?? "").split(",").filter((word) => word !== "");
  const arms = ARMS.filter((arm) => only.length === 0 || only.some((w) => arm.name.includes(w)));
  try {
    if (parts.includes("fleet")) for (const arm of arms) await attempt(fleet, arm, script);
    if (parts.includes("hot")) {
      const hotOnly = (process.env.BENCH_HOT_ARMS ?? "").split(",").filter((word) => word !== "");
      const hotArms = arms.filter(
        (arm) => hotOnly.length === 0 || hotOnly.some((w) => arm.name.includes(w)),
      );
      for (const arm of hotArms) await attempt(hotRuns, { ...arm, name: `hot: ${arm.name}` }, hot);
    }
    // Alternating rounds, so a neighbour's load on the machine hits both sides alike.
    const rounds = parts.includes("overhead") ? env("BENCH_OVERHEAD_ROUNDS", 2) : 0;
    for (let round = 1; round <= rounds; round++) {
      const none: Arm = {
        name: `no suite plugins #${round}`,
        optimizer: false,
        hostCacheKey: false,
        plugins: [],
      };
      const all: Arm = {
        name: `all suite plugins #${round}`,
        optimizer: false,
        hostCacheKey: false,
        plugins: SUITE_PLUGINS(script.ttlSeconds),
      };
      await attempt(overheadRuns, none, overhead);
      await attempt(overheadRuns, all, overhead);
    }
  } finally {
    await emulator.close();
  }
  printSummary("Fleet", fleet);
  printSlots("Fleet", fleet);
  printCauses(fleet);
  printMatches(fleet);
  printSummary("Hot agent", hotRuns);
  printSlots("Hot agent", hotRuns);
  printOverhead(overheadRuns);
  printFailures([...fleet, ...hotRuns, ...overheadRuns]);
  if (failedArms.length > 0) {
    console.log(`\n${failedArms.length} arm(s) failed and are left out:`);
    for (const line of failedArms) console.log(`  ${line}`);
    process.exitCode = 1;
  }
}
