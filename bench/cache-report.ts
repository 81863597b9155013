// What npm run bench -- cache prints for its arms: the summary, the causes of missed tokens, how
// TaaS matched calls, the slots' spills and queueing, the suite's overhead and failed turns.
import { type EmulatorProfile, ledgerCauseOf, PROFILE_DEFAULTS } from "@cloudsigma/taas-emulator";
import { MISS_CAUSES } from "../packages/usage-ledger/src/cache/accounting.ts";
import type { Arm, ArmRun, JoinedCall } from "./cache-arm.ts";
import { printTable } from "./table.ts";

/** The profile every arm runs against: TaaS's rules as its sources describe them. */
export const PROFILE: EmulatorProfile = "documented";
export const RULES = PROFILE_DEFAULTS[PROFILE];
const CAUSES = MISS_CAUSES.filter((cause) => cause !== "none");

export interface Result {
  arm: Arm;
  run: ArmRun;
}

const sum = (calls: readonly JoinedCall[], pick: (c: JoinedCall) => number | null) =>
  calls.reduce((total, call) => total + (pick(call) ?? 0), 0);
const pct = (part: number, whole: number) =>
  whole > 0 ? `${((100 * part) / whole).toFixed(1)}` : "-";
const ratio = (part: number, whole: number) => (whole > 0 ? (part / whole).toFixed(3) : "-");

export function printSummary(title: string, results: readonly Result[]): void {
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

export function printCauses(results: readonly Result[]): void {
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
export function printMatches(results: readonly Result[]): void {
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
export function printSlots(title: string, results: readonly Result[]): void {
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
export function printOverhead(results: readonly Result[]): void {
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

export function printFailures(results: readonly Result[]): void {
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
