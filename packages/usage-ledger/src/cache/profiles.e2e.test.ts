import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { RouteReader } from "@cloudsigma/taas-core/contracts/route-store";
import {
  DISCOVERY_ONLY_MODELS,
  ledgerCauseOf,
  type RecordedRequest,
  SEED_MODELS,
} from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Host,
  ledgerPlugin,
  optimizerPlugin,
  parseJsonOutput,
  providerModels,
  runAgentTurn,
  runOpenClaw,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../../e2e/harness/index.ts";
import { type LedgerRow, readLedgerRows } from "../ledger-e2e.test-support.ts";

// The ledger's causes against the emulator's ground truth when the emulator follows the
// documented rules (`profile: "documented"`): an OpenAI-family model whose reads stop at a
// 4,864-token plateau, a Claude model that reports cache writes, a DeepSeek model whose cache
// is readable only a few seconds after a prefix is first sent, and no upstream header.

/** One agent per provider family, each on its model (the emulator's family is by model id). */
const FAMILIES = [
  { family: "openai", agent: "oai", model: "gpt-5.5" },
  { family: "anthropic", agent: "opus", model: "claude-opus-4.8" },
  { family: "delayed", agent: "deep", model: "deepseek-v4" },
] as const;
/** Sessions per agent: the optimizer keeps an agent's sessions in one conversation (its id). */
const SESSIONS = 2;
const TURNS = 4;
/**
 * The emulator's documented ready delay (5 s, its guess at "a few seconds") is about what a
 * turn takes here, so back-to-back turns would fall either side of it by chance: the delay is
 * set longer than a turn, and the ledger is told the same.
 */
const READY_DELAY_SECONDS = 20;
/** Prices an operator would set, USD per million tokens; Anthropic writes cost 1.25x input. */
const PRICES = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const WARM_MISS = /cache miss: agent (\S+) lost (\d+) cacheable prompt tokens \((\w+)/;

interface JoinedCall {
  family: string;
  row: LedgerRow;
  truth: RecordedRequest;
  /** The cause a correct ledger names for the emulator's truth. */
  expected: string;
  /** What the emulator's cache did not serve of its ideal. */
  truthMissed: number;
}

describe("cache causes on every documented provider profile", () => {
  let host: Host;
  let calls: JoinedCall[] = [];
  const ledgerPath = () => join(host.state.dir, "usage-ledger", "ledger.sqlite");
  const ofFamily = (family: string) => calls.filter((c) => c.family === family);

  beforeAll(async () => {
    const rows = [...SEED_MODELS, ...DISCOVERY_ONLY_MODELS.filter((m) => m.id === "deepseek-v4")];
    host = await startHost({
      name: "cache-profiles",
      emulator: { profile: "documented", cacheReadyDelayMs: READY_DELAY_SECONDS * 1000 },
      config: ({ state }) => ({
        models: providerModels(rows).map((model) => ({ ...model, cost: PRICES })),
        agents: FAMILIES.map(({ agent, model }) => ({
          id: agent,
          workspace: join(state.dir, `workspace-${agent}`),
          model: `cloudsigma/${model}`,
        })),
        plugins: [
          // The plateau is not configured: the ledger learns it from the calls.
          ledgerPlugin({
            cacheGeometry: {
              "cloudsigma/deepseek-*": { readyDelaySeconds: READY_DELAY_SECONDS },
              "cloudsigma/claude-opus-*": { minTokens: 4096 },
            },
          }),
          optimizerPlugin(),
        ],
      }),
      gateway: { token: "profiles-token" },
    });
    for (const { agent } of FAMILIES) {
      await mkdir(join(host.state.dir, `workspace-${agent}`), { recursive: true });
    }
    for (const { agent } of FAMILIES) {
      for (let session = 1; session <= SESSIONS; session++) {
        for (let turn = 1; turn <= TURNS; turn++) {
          // The delayed family's last turn comes after the delay: its prefix is readable then.
          if (agent === "deep" && turn === TURNS) {
            await new Promise((resolve) => setTimeout(resolve, (READY_DELAY_SECONDS + 1) * 1000));
          }
          await runAgentTurn(host.state, {
            agent,
            message: `Turn ${turn} of session ${session}: answer in one line.`,
            sessionKey: `agent:${agent}:s${session}`,
          });
        }
      }
    }
    calls = await joinedCalls(host, ledgerPath());
  });
  afterAll(() => tearDownHost(host));

  it.each(FAMILIES.map((f) => f.family))(
    "%s: the ledger's causes agree with the truth on >= 95 % of the missed tokens",
    (family) => {
      const joined = ofFamily(family);
      expect(joined.length).toBeGreaterThanOrEqual(SESSIONS * TURNS);
      const missed = joined.reduce((sum, c) => sum + c.truthMissed, 0);
      const agreeing = joined
        .filter((c) => c.row.miss_cause === c.expected)
        .reduce((sum, c) => sum + c.truthMissed, 0);
      const share = missed === 0 ? 1 : agreeing / missed;
      console.log(
        `${family}: ${joined.length} calls, ${missed} truth-missed tokens, ${(share * 100).toFixed(1)} % agreeing; causes ${JSON.stringify(causeCounts(joined))}`,
      );
      const disagreeing = joined
        .filter((c) => c.row.miss_cause !== c.expected && c.truthMissed > 0)
        .map((c) => `${c.row.miss_cause} for ${c.truth.cacheCause} (${c.truthMissed})`);
      expect(share, disagreeing.join("; ")).toBeGreaterThanOrEqual(0.95);
    },
  );

  it("openai: a plateaued call is no miss, from the first one on, and efficiency stays whole", async () => {
    const plateaued = ofFamily("openai").filter((c) => c.truth.cacheCause === "plateau");
    expect(plateaued.length).toBeGreaterThanOrEqual(SESSIONS);
    for (const { row } of plateaued) {
      expect(row).toMatchObject({ miss_cause: "plateau", missed_tokens: 0, invalidated_tokens: 0 });
      expect(row.expected_cache_read).toBe(row.cache_read);
      expect(row.beyond_plateau_tokens).toBeGreaterThan(0);
    }
    const report = parseJsonOutput<{
      rows: Array<{ key: string; efficiency: number | null; beyondPlateauTokens: number }>;
    }>(
      await runOpenClaw(host.state, [
        ...["usage-ledger", "report", "--by", "agent", "--since", "all", "--json"],
      ]),
      "usage-ledger report --by agent",
    );
    const oai = report.rows.find((row) => row.key === "oai");
    // Every plateaued call read all it was expected to: only a miss of another kind (a spill
    // when the slot is busy) can lower the efficiency, never the plateau.
    const rows = ofFamily("openai").map((c) => c.row);
    if (rows.every((row) => (row.missed_tokens ?? 0) === 0)) expect(oai?.efficiency).toBe(1);
    expect(oai?.beyondPlateauTokens).toBe(
      plateaued.reduce((sum, c) => sum + (c.row.beyond_plateau_tokens ?? 0), 0),
    );
  });

  it("no warm-miss line for a plateaued call, nor for a cache that was not ready", () => {
    const lines = (host.gateway?.output() ?? "").split("\n").filter((l) => WARM_MISS.test(l));
    const rows = readLedgerRows(ledgerPath(), "granularity = 'call'");
    for (const line of lines) {
      const [, agent, lost, cause] = WARM_MISS.exec(line) ?? [];
      expect(["plateau", "not_ready"], line).not.toContain(cause);
      // Each line is a loss some call of that agent had (a spill, say), never a plateau's.
      const of = rows.filter((r) => r.agent_id === agent && r.miss_cause === cause);
      const losses = of.map((r) => (r.missed_tokens ?? 0) + (r.invalidated_tokens ?? 0));
      expect(losses, line).toContain(Number(lost));
    }
  });

  it("delayed: a follow-up sooner than the delay is not_ready, one after it reads the prefix", () => {
    const delayed = ofFamily("delayed");
    expect(delayed.filter((c) => c.row.miss_cause === "not_ready").length).toBeGreaterThan(0);
    // After the wait the prefix is read (the host may have changed the history's end: then the
    // truth is diverged and the ledger says prefix_history, both with nothing missed).
    const late = delayed.filter((c) => c.truth.cacheCause !== "not_ready" && c.row.cache_read > 0);
    expect(late.length).toBeGreaterThan(0);
    for (const { row } of late) expect(row.missed_tokens).toBe(0);
  });

  it("anthropic: writes are priced as writes and never counted as missed", () => {
    const written = ofFamily("anthropic").filter((c) => c.row.cache_write > 0);
    // Every cold call writes its prompt; a warm one writes what its turn added past a boundary.
    expect(written.length).toBeGreaterThanOrEqual(SESSIONS);
    for (const { row, truthMissed } of written) {
      const nano = (tokens: number, usdPerM: number) => tokens * usdPerM * 1000;
      const cost =
        nano(row.input, PRICES.input) +
        nano(row.output, PRICES.output) +
        nano(row.cache_read, PRICES.cacheRead) +
        nano(row.cache_write, PRICES.cacheWrite);
      expect(row.cost_nusd).toBe(Math.round(cost));
      expect(row.cost_state).toBe("known");
      if (truthMissed === 0) expect(row.missed_tokens).toBe(0);
    }
  });
});

/**
 * Every ledger call row joined to the emulator's record of its request (by the optimizer's
 * route capture), for the requests the emulator matched by their id: TaaS trusts an id only
 * with an agent id, and a call without one would be judged by another conversation.
 */
async function joinedCalls(host: Host, ledger: string): Promise<JoinedCall[]> {
  const answered = host.emulator
    .requests()
    .filter((r) => r.path === "/v1/chat/completions" && r.status === 200);
  const rows = await waitFor(`${answered.length} ledger call rows`, () => {
    const found = readLedgerRows(ledger, "granularity = 'call'");
    return found.length >= answered.length ? found : undefined;
  });
  const byRequest = new Map(answered.map((r) => [r.requestId, r]));
  const routes = new RouteReader(host.state.dir);
  try {
    return rows.flatMap((row): JoinedCall[] => {
      const requestId = row.call_id ? routes.byCallId(row.call_id)?.requestId : undefined;
      const truth = requestId ? byRequest.get(requestId) : undefined;
      const family = FAMILIES.find((f) => f.agent === row.agent_id)?.family;
      if (!truth?.cacheCause || !family || !truth.matchReason?.startsWith("external_id")) {
        return [];
      }
      const expected = ledgerCauseOf(
        { cause: truth.cacheCause, at: truth.cacheCauseAt },
        { upstreamHeader: false },
      );
      const truthMissed = Math.max(0, (truth.idealCachedTokens ?? 0) - (truth.cachedTokens ?? 0));
      return [{ family, row, truth, expected, truthMissed }];
    });
  } finally {
    routes.close();
  }
}

const causeCounts = (joined: readonly JoinedCall[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const { row, truth } of joined) {
    const key = `${row.miss_cause}/${truth.cacheCause}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};
