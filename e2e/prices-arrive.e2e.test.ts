import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { GatewayPriceReader } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { DEFAULT_API_KEY, DEFAULT_CATALOG, type ModelRow } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PLUGIN_DIR,
  readHostConfig,
  writeHostConfigFile,
} from "../packages/taas-provider/src/e2e.test-support.ts";
import type { ModelDefinition } from "../packages/taas-provider/src/model-types.ts";
import {
  type LedgerRow,
  readLedgerRows,
} from "../packages/usage-ledger/src/ledger-e2e.test-support.ts";
import {
  type AgentTurn,
  type Host,
  ledgerPlugin,
  nonEmpty,
  optimizerPlugin,
  REPO_ROOT,
  readmeCommand,
  runAgentTurn,
  runOpenClaw,
  startHost,
  tearDownHost,
  waitFor,
} from "./harness/index.ts";

// Issue 21, driven as the operator drove it: the TaaS provider installed from its folder and
// onboarded non-interactively with the README's own command against an endpoint that is not
// production TaaS (the emulator), whose /models lists a model at a price (`zeta-fresh-1`, 1 and
// 2 USD per million tokens; the emulator's prices are illustrative, not TaaS's). Then, in one
// gateway that is never restarted: calls priced at the listed prices; one model priced in
// place with the README's command and the next call priced by it; a price the gateway changes
// in its listing picked up by the listing refresh; and the token audit's line agreeing with
// the ledger's row for each call, autorouted and cached ones included.

const README = join(PLUGIN_DIR, "README.md");
const LISTED_ZETA = { input: 1, output: 2 };
const CHANGED_ZETA = { input: 3, output: 4 };
const ZETA: ModelRow = {
  id: "zeta-fresh-1",
  object: "model",
  type: "chat",
  context_window: 128_000,
  max_output_tokens: 8_000,
  capabilities: { chat_completions: true, reasoning: false, thinking: false, vision: false },
  pricing: LISTED_ZETA,
};
/** The emulator serves this list as it is at each request: the test changes a price in it. */
const listing: ModelRow[] = [...DEFAULT_CATALOG, ZETA];
const listedPrice = (id: string) => {
  const row = listing.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`the emulator lists no ${id}`);
  return row.pricing;
};

interface AuditLine {
  callId: string;
  model: string;
  routedModel: string | null;
  costUsd: number | null;
  costState: string;
}

interface Rates {
  input?: number;
  output?: number;
  cacheRead?: number;
}

/** What a row costs at `rates`, in nano-USD, counting only the kinds that have a rate. */
const priced = (row: LedgerRow, rates: Rates) =>
  1000 *
  (row.input * (rates.input ?? 0) +
    row.output * (rates.output ?? 0) +
    row.cache_read * (rates.cacheRead ?? 0));

describe("prices that arrive by themselves, in the real host", () => {
  let host: Host;
  let ledger: string;
  let auditFile: string;
  let gatewayPid: number | undefined;

  beforeAll(async () => {
    host = await startHost({
      name: "prices-arrive",
      // One replica: a conversation's second call reads its first call's prefix from cache.
      emulator: { replicas: 1, models: listing },
      config: {
        models: [{ id: "gpt-5.5" }],
        configureProvider: false,
        // Another provider's model: onboarding makes cloudsigma/gpt-5.5 the default.
        primaryModel: "openai/gpt-5",
        plugins: [
          ledgerPlugin(),
          optimizerPlugin(),
          {
            id: "token-audit",
            path: join(REPO_ROOT, "packages", "token-audit"),
            allowConversationAccess: true,
          },
        ],
      },
      gateway: { token: "prices-arrive-token", start: false },
    });
    ledger = join(host.state.dir, "usage-ledger", "ledger.sqlite");
    auditFile = join(host.state.dir, "token-audit", "usage.jsonl");
    const install = await runOpenClaw(host.state, [
      ...["plugins", "install", "--link", PLUGIN_DIR],
      ...["--force", "--accept-capabilities"],
    ]);
    expect(install.code, install.stderr).toBe(0);
    const config = await readHostConfig(host.state);
    // The endpoint, and a refresh every minute so the test sees one while the gateway runs.
    config.plugins.entries.cloudsigma = {
      ...config.plugins.entries.cloudsigma,
      enabled: true,
      config: { baseUrl: host.emulator.url, listingRefreshMinutes: 1 },
    };
    await writeHostConfigFile(host.state, config);
  });

  afterAll(() => tearDownHost(host));

  const rows = async () =>
    (
      await readHostConfig<{
        models: { providers: { cloudsigma: { models: ModelDefinition[] } } };
      }>(host.state)
    ).models.providers.cloudsigma.models;
  const costOf = async (id: string) => (await rows()).find((row) => row.id === id)?.cost;

  /** The ledger's row and the token audit's line of a turn's one model call. */
  async function recorded(turn: AgentTurn): Promise<{ row: LedgerRow; line: AuditLine }> {
    const [row] = await waitFor(`the ledger row of run ${turn.runId}`, () =>
      nonEmpty(readLedgerRows(ledger, "run_id = ? AND granularity = 'call'", turn.runId ?? "?")),
    );
    if (!row?.call_id) throw new Error(`run ${turn.runId} has no call row`);
    const line = await waitFor(`the audit line of ${row.call_id}`, () =>
      auditLines().find((candidate) => candidate.callId === row.call_id),
    );
    return { row, line };
  }

  /** The audit line says what the ledger's row says: the same cost, state and routed model. */
  function expectSameCost(row: LedgerRow, line: AuditLine) {
    expect(line).toMatchObject({
      routedModel: row.routed_model,
      costUsd: row.cost_nusd === null ? null : row.cost_nusd / 1e9,
      costState: row.cost_state,
    });
  }

  const auditLines = (): AuditLine[] =>
    existsSync(auditFile)
      ? readFileSync(auditFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((text) => JSON.parse(text) as AuditLine)
      : [];

  const turn = (message: string, model: string, session: string) =>
    runAgentTurn(host.state, { message, model, sessionKey: `agent:main:${session}` });

  it("onboards with the README's command: it ends clean, with the listed prices in every row it wrote and saved for the ledger", async () => {
    const onboard = await runOpenClaw(
      host.state,
      readmeCommand(README, "openclaw onboard --non-interactive", {
        $CLOUDSIGMA_API_KEY: DEFAULT_API_KEY,
      }),
      { timeoutMs: 150_000 },
    );
    expect(onboard.code, onboard.stderr).toBe(0);
    expect(onboard.stdout + onboard.stderr).not.toContain("Gateway did not become reachable");
    expect(onboard.stdout + onboard.stderr).toMatch(
      /chat route\(s\), \d+ with prices; 0 refreshed, \d+ new, 0 removed\)/,
    );
    // A static row (the default model) and a row only the listing names, both priced by it.
    const gpt = listedPrice("gpt-5.5");
    expect(await costOf("gpt-5.5")).toEqual({ ...gpt, cacheRead: 0, cacheWrite: 0 });
    expect(await costOf(ZETA.id)).toEqual({ ...LISTED_ZETA, cacheRead: 0, cacheWrite: 0 });
    expect(new GatewayPriceReader(host.state.dir).lookup("cloudsigma", ZETA.id)).toEqual(
      LISTED_ZETA,
    );
  });

  it("starts the gateway without the host's remote-catalog line once the README's switch is set", async () => {
    const off = await runOpenClaw(
      host.state,
      readmeCommand(README, "models.catalogRefresh.enabled"),
    );
    expect(off.code, off.stderr).toBe(0);
    const gateway = await host.startGateway();
    gatewayPid = gateway.pid;
    await waitFor(
      "the provider's line on discovery",
      () => gateway.output().includes("cloudsigma: the host's live model discovery does not run"),
      { timeoutMs: 60_000 },
    );
    // The host logs its refresh failure a moment after start (seen ~0.3 s after this line).
    await delay(5_000);
    expect(gateway.output()).not.toContain("remote model catalog refresh failed");
  });

  it("prices a call on a listed model at the listed price, and the audit line agrees", async () => {
    const { row, line } = await recorded(
      await turn("First zeta turn.", `cloudsigma/${ZETA.id}`, "a"),
    );
    expect(row).toMatchObject({ model: ZETA.id, cache_read: 0, cost_state: "known" });
    expect(row.cost_nusd).toBe(priced(row, LISTED_ZETA));
    expectSameCost(row, line);
  });

  it("marks a call with cache reads and no cache-read price partial, in the ledger and the audit line", async () => {
    const { row, line } = await recorded(
      await turn("Second zeta turn.", `cloudsigma/${ZETA.id}`, "a"),
    );
    expect(row.cache_read).toBeGreaterThan(0);
    expect(row).toMatchObject({ cost_state: "partial", cost_nusd: priced(row, LISTED_ZETA) });
    expect(line.costState).toBe("partial");
    expectSameCost(row, line);
  });

  it("prices the default model at its listed price (a static row, unpriced before)", async () => {
    const { row, line } = await recorded(await turn("First gpt turn.", "cloudsigma/gpt-5.5", "b"));
    expect(row.cost_source).toBe("catalog");
    expect(row.cost_nusd).toBe(priced(row, listedPrice("gpt-5.5")));
    expectSameCost(row, line);
  });

  it("prices one model in place with the README's command, and the next call by it, without a restart", async () => {
    const before = await rows();
    const set = await runOpenClaw(
      host.state,
      readmeCommand(README, "openclaw config set models.providers.cloudsigma.models"),
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + set.stderr).toContain("Change will apply without restarting the gateway.");
    const after = await rows();
    const ours = { input: 1.5, output: 12, cacheRead: 0.15 };
    // Only that row's cost changed.
    expect(after).toEqual(
      before.map((row) => (row.id === "gpt-5.5" ? { ...row, cost: ours } : row)),
    );
    const { row, line } = await recorded(await turn("Second gpt turn.", "cloudsigma/gpt-5.5", "b"));
    expect(row.cache_read).toBeGreaterThan(0);
    expect(row).toMatchObject({ cost_state: "known", cost_nusd: priced(row, ours) });
    expectSameCost(row, line);
    expect(host.gateway?.pid).toBe(gatewayPid);
  });

  it("prices an autorouted call by the model TaaS routed it to, the same in the ledger and the audit line", async () => {
    const { row, line } = await recorded(await turn("Route me.", "cloudsigma/auto", "c"));
    expect(row.model).toBe("auto");
    expect(row.routed_model).toEqual(expect.any(String));
    expect(line.routedModel).toBe(row.routed_model);
    expectSameCost(row, line);
    if (row.routed_model === "gpt-5.5") expect(row.cost_state).toBe("known");
  });

  it("picks up a price the gateway changed in its listing, with no re-onboarding and no restart", async () => {
    const at = listing.findIndex((row) => row.id === ZETA.id);
    listing[at] = { ...ZETA, pricing: CHANGED_ZETA };
    const served = await fetch(`${host.emulator.url}/models`, {
      headers: { authorization: `Bearer ${DEFAULT_API_KEY}` },
    }).then((response) => response.json() as Promise<{ data: ModelRow[] }>);
    expect(served.data.find((row) => row.id === ZETA.id)?.pricing).toEqual(CHANGED_ZETA);

    const gateway = host.gateway;
    if (!gateway) throw new Error("no gateway");
    // The refresh runs every minute (listingRefreshMinutes: 1).
    await waitFor(
      "the listing refresh to rewrite onboarding's zeta row",
      async () => (await costOf(ZETA.id))?.input === CHANGED_ZETA.input,
      { timeoutMs: 150_000, intervalMs: 1_000 },
    );
    expect(await costOf(ZETA.id)).toEqual({ ...CHANGED_ZETA, cacheRead: 0, cacheWrite: 0 });
    // The row priced by hand stays as priced.
    expect(await costOf("gpt-5.5")).toEqual({ input: 1.5, output: 12, cacheRead: 0.15 });
    expect(new GatewayPriceReader(host.state.dir).lookup("cloudsigma", ZETA.id)).toEqual(
      CHANGED_ZETA,
    );
    expect(gateway.output()).toMatch(
      /cloudsigma: the gateway's \/models changed the rows onboarding wrote into models\.providers\.cloudsigma\.models: \d+ refreshed, 0 new, 0 removed; your own row kept for 1 id\(s\)/,
    );

    const { row, line } = await recorded(
      await turn("Third zeta turn.", `cloudsigma/${ZETA.id}`, "d"),
    );
    expect(row.cost_nusd).toBe(priced(row, CHANGED_ZETA));
    expectSameCost(row, line);
    expect(host.gateway?.pid).toBe(gatewayPid);
    expect(gateway.output().match(/\[gateway\] ready/g)).toHaveLength(1);
  });
});
