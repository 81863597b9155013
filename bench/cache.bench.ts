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
import {
  type EmulatorProfile,
  ledgerCauseOf,
  PROFILE_DEFAULTS,
  SEED_MODELS,
  startEmulator,
} from "@cloudsigma/taas-emulator";
import {
  ledgerPlugin,
  optimizerPlugin,
  type PluginUnderTest,
  providerModels,
  REPO_ROOT,
} from "../e2e/harness/index.ts";
import { MISS_CAUSES } from "../packages/usage-ledger/src/cache/accounting.ts";
import { type Arm, type ArmRun, type JoinedCall, runArm, type Script } from "./cache-arm.ts";
import { printTable } from "./table.ts";

const ARMS: Arm[] = [
  { name: "no affinity hints", optimizer: false, hostCacheKey: false },
  { name: "host prompt_cache_key", optimizer: false, hostCacheKey: true },
  { name: "optimizer, session scope", optimizer: "session", hostCacheKey: false },
  { name: "optimizer, workspace scope", optimizer: "workspace", hostCacheKey: false },
  { name: "optimizer, bounded scope", optimizer: "bounded", hostCacheKey: false },
];

/** TaaS's rules as its sources describe them, named so the bench stays on them. */
const PROFILE: EmulatorProfile = "documented";
const RULES = PROFILE_DEFAULTS[PROFILE];
const REPLICAS = 16;

/** Every cause but `none`: the columns of the loss table. */
const CAUSES = MISS_CAUSES.filter((cause) => cause !== "none");

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

interface Result {
  arm: Arm;
  run: ArmRun;
}

const sum = (calls: readonly JoinedCall[], pick: (c: JoinedCall) => number | null) =>
  calls.reduce((total, call) => total + (pick(call) ?? 0), 0);
const pct = (part: number, whole: number) =>
  whole > 0 ? `${((100 * part) / whole).toFixed(1)}` : "-";
const ratio = (part: number, whole: number) => (whole > 0 ? (part / whole).toFixed(3) : "-");

function printSummary(title: string, results: readonly Result[]): void {
  const rows = results.map(({ arm, run: { calls, turns } }) => {
    const accounted = calls.filter((c) => c.expected !== null);
    const prompt = sum(calls, (c) => c.prompt);
    const cached = sum(calls, (c) => c.cached);
    const expected = sum(accounted, (c) => c.expected);
    const read = sum(accounted, (c) => c.cached);
    // The target excludes what idle time and prompt changes cost: those calls leave the sum.
    const steady = accounted.filter(
      (c) => c.cause !== "ttl_expired" && !c.cause?.startsWith("prefix_"),
    );
    const warm = accounted.filter((c) => c.cause !== "cold");
    const priced = calls.filter((c) => c.costNano !== null);
    const agreement = agreementOf(calls);
    return [
      arm.name,
      `${turns.ok}/${turns.failed}`,
      String(calls.length),
      String(prompt),
      String(cached),
      pct(cached, prompt),
      pct(
        expected,
        sum(accounted, (c) => c.prompt),
      ),
      ratio(read, expected),
      ratio(
        sum(steady, (c) => c.cached),
        sum(steady, (c) => c.expected),
      ),
      pct(
        sum(warm, (c) => c.cached),
        sum(warm, (c) => c.prompt),
      ),
      `${(sum(priced, (c) => c.costNano) / 1e9).toFixed(4)}${priced.length < calls.length ? ` (${calls.length - priced.length} unpriced)` : ""}`,
      agreement.tokens,
      agreement.calls,
    ];
  });
  printTable(
    `${title}, per arm (ledger figures; ideal = what each call shared with the previous call of its id)`,
    [
      "arm",
      "turns ok/failed",
      "calls",
      "prompt",
      "cached",
      "hit %",
      "ideal %",
      "efficiency",
      "eff. excl. TTL/prefix",
      "warm hit %",
      "cost $",
      "agree (missed tok.)",
      "agree (calls)",
    ],
    rows,
  );
}

function printCauses(results: readonly Result[]): void {
  const rows = results.map(({ arm, run: { calls } }) => [
    arm.name,
    ...CAUSES.map((cause) => {
      const of = calls.filter((c) => c.cause === cause);
      const lost = sum(of, (c) => (c.missed ?? 0) + (c.invalidated ?? 0));
      return of.length === 0 ? "-" : `${of.length}/${lost}`;
    }),
  ]);
  printTable(
    "Calls / tokens lost (missed + invalidated) by the ledger's cause",
    ["arm", ...CAUSES],
    rows,
  );
}

/**
 * How often the ledger names the cause the emulator knows: the share of the emulator's missed
 * tokens (its ideal minus what it served) on calls where both say the same, and the share of calls.
 */
function agreementOf(calls: readonly JoinedCall[]): { tokens: string; calls: string } {
  let agreeing = 0;
  let total = 0;
  let agreeingCalls = 0;
  let judged = 0;
  for (const call of calls) {
    const truth = call.truth;
    if (!truth?.cacheCause) continue;
    // The documented profile names no replica, as real TaaS: a switch is replica_unreported.
    const expected = ledgerCauseOf(
      { cause: truth.cacheCause, at: truth.cacheCauseAt },
      { upstreamHeader: RULES.upstreamHeader },
    );
    const same = expected === call.cause;
    const missed = Math.max(0, (truth.idealCachedTokens ?? 0) - (truth.cachedTokens ?? 0));
    total += missed;
    judged += 1;
    if (same) {
      agreeing += missed;
      agreeingCalls += 1;
    }
  }
  return { tokens: pct(agreeing, total), calls: pct(agreeingCalls, judged) };
}

/** The match reasons TaaS records, in the order a conversation meets them. */
const MATCHES = ["external_id_new", "external_id", "tool_chain", "structural", "new"] as const;

/**
 * How the emulator matched each arm's calls: by an honoured id, by a keyless guess, or as a new
 * session; how many came without an honoured id (TaaS's fallback_reason) and how many spilled
 * from a full replica. An optimizer arm whose calls show a fallback sent no agent id with its id.
 */
function printMatches(results: readonly Result[]): void {
  const rows = results.map(({ arm, run: { calls } }) => {
    const truths = calls.flatMap((call) => (call.truth ? [call.truth] : []));
    const count = (pick: (truth: (typeof truths)[number]) => boolean) =>
      String(truths.filter(pick).length);
    return [
      arm.name,
      ...MATCHES.map((reason) => count((truth) => truth.matchReason === reason)),
      count((truth) => truth.fallbackReason !== null),
      count((truth) => truth.spilledFrom !== null),
      String(calls.length - truths.length),
    ];
  });
  printTable(
    "Calls by how the emulator matched them (TaaS's match_reason), without an honoured id, spilled",
    ["arm", ...MATCHES, "no id honoured", "spilled", "not joined"],
    rows,
  );
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/**
 * What the TaaS slots did with each arm's calls: spilled to another replica (a cache miss there)
 * or queued for room, and the time queueing added (emulator clock); the affinity ids used and,
 * for the bounded scope, the highest shard.
 */
function printSlots(title: string, results: readonly Result[]): void {
  const rows = results.map(({ arm, run: { calls } }) => {
    const truths = calls.flatMap((call) => (call.truth ? [call.truth] : []));
    const waits = truths.map((truth) => truth.waitedMs);
    const ids = new Set(truths.map((truth) => truth.routingKey).filter((key) => key !== null));
    const shards = calls.flatMap((call) => (call.shard === null ? [] : [call.shard]));
    return [
      arm.name,
      String(truths.filter((truth) => truth.spilledFrom !== null).length),
      String(waits.filter((ms) => ms > 0).length),
      String(percentile(waits, 50)),
      String(percentile(waits, 95)),
      String(ids.size),
      shards.length > 0 ? String(Math.max(...shards)) : "-",
    ];
  });
  printTable(
    `${title}: slots (emulator ground truth)`,
    ["arm", "spilled", "queued", "queue p50 ms", "queue p95 ms", "routing keys", "max shard"],
    rows,
  );
}

/** Gateway turns per second with the suite's plugins and without, the same script. */
function printOverhead(results: readonly Result[]): void {
  const rate = (r: Result) => (1000 * r.run.turns.ok) / Math.max(1, r.run.turns.wallMs);
  const rows = results.map((r) => [
    r.arm.name,
    `${r.run.turns.ok}/${r.run.turns.failed}`,
    (r.run.turns.wallMs / 1000).toFixed(1),
    rate(r).toFixed(2),
  ]);
  const mean = (prefix: string) => {
    const of = results.filter((r) => r.arm.name.startsWith(prefix)).map(rate);
    return of.length > 0 ? of.reduce((a, b) => a + b, 0) / of.length : Number.NaN;
  };
  const none = mean("no suite plugins");
  const all = mean("all suite plugins");
  printTable(
    "Suite overhead: gateway throughput, same script",
    ["arm", "turns ok/failed", "wall s", "turns/s"],
    rows,
  );
  if (Number.isFinite(none) && Number.isFinite(all)) {
    console.log(
      `all plugins / none: ${(all / none).toFixed(3)} (${(100 * (1 - all / none)).toFixed(1)}% fewer turns/s)`,
    );
  }
}

function printFailures(results: readonly Result[]): void {
  const failed = results.filter((r) => r.run.turns.failed > 0);
  if (failed.length === 0) {
    console.log("\nNo turn failed.");
    return;
  }
  console.log("\nFailed turns (counted in each arm's turns ok/failed; the first few of each):");
  for (const r of failed) {
    console.log(`  ${r.arm.name}: ${r.run.turns.failed}`);
    for (const line of r.run.turns.failures) console.log(`    ${line}`);
  }
}
