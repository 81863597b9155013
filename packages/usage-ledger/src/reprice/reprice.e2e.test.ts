import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Host,
  ledgerPlugin,
  parseJsonOutput,
  REPO_ROOT,
  readmeCommand,
  runAgentTurn,
  runOpenClaw,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../../e2e/harness/index.ts";
import { type LedgerRow, type ReportPayload, readLedgerRows } from "../ledger-e2e.test-support.ts";

// Issue 21, as the operator met it: calls recorded before anyone priced their model stay
// unpriced for the ledger's retention. Here, in one running gateway: calls on gpt-5.5 and
// kimi-k2.6 recorded unpriced; gpt-5.5 priced in place with the TaaS provider README's command;
// `usage-ledger reprice --dry-run` says what it would do and does nothing; `reprice` prices the
// gpt-5.5 rows by the new price (kimi-k2.6 stays unpriced, and the summary says why); a second
// `reprice` changes nothing; the report no longer counts the gpt-5.5 calls unpriced.

const PROVIDER_README = join(REPO_ROOT, "packages", "taas-provider", "README.md");
const LEDGER_README = join(REPO_ROOT, "packages", "usage-ledger", "README.md");
/** The price that README command sets (USD per million tokens; illustrative). */
const OURS = { input: 1.5, output: 12, cacheRead: 0.15 };
const SESSION = "agent:main:reprice";

const priced = (row: LedgerRow) =>
  Math.round(
    1000 * (row.input * OURS.input + row.output * OURS.output + row.cache_read * OURS.cacheRead),
  );

describe("usage-ledger reprice in the real host", () => {
  let host: Host;
  let ledger: string;
  /** The call rows of each model, as the turns made them. */
  let gpt = 0;
  let kimi = 0;

  beforeAll(async () => {
    host = await startHost({
      name: "reprice",
      emulator: { replicas: 1 },
      config: { models: [{ id: "gpt-5.5" }, { id: "kimi-k2.6" }], plugins: [ledgerPlugin()] },
      gateway: { token: "reprice-token" },
    });
    ledger = join(host.state.dir, "usage-ledger", "ledger.sqlite");
  });

  afterAll(() => tearDownHost(host));

  const callRows = () => readLedgerRows(ledger, "granularity = 'call'");
  const cli = async (args: string[], logName: string) => {
    const result = await runOpenClaw(host.state, args, { logName });
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const unpricedCalls = async () => {
    const report = await cli(
      ["usage-ledger", "report", "--since", "1d", "--json"],
      "reprice-report",
    );
    return parseJsonOutput<ReportPayload>(report, "usage-ledger report --json").totals
      .unpricedCalls;
  };

  it("records calls of models nobody priced as unpriced", async () => {
    await runAgentTurn(host.state, { message: "First turn.", sessionKey: SESSION });
    await runAgentTurn(host.state, { message: "Second turn.", sessionKey: SESSION });
    await runAgentTurn(host.state, {
      message: "A kimi turn.",
      sessionKey: "agent:main:kimi",
      model: "cloudsigma/kimi-k2.6",
    });
    // A turn may make more than one model call: wait until the rows stop arriving.
    let seen = -1;
    const rows = await waitFor(
      "the call rows to settle",
      () => {
        const found = callRows();
        const settled = found.length >= 3 && found.length === seen;
        seen = found.length;
        return settled ? found : undefined;
      },
      { intervalMs: 3_000 },
    );
    gpt = rows.filter((row) => row.model === "gpt-5.5").length;
    kimi = rows.filter((row) => row.model === "kimi-k2.6").length;
    expect(gpt).toBeGreaterThanOrEqual(2);
    expect(kimi).toBeGreaterThanOrEqual(1);
    expect(gpt + kimi).toBe(rows.length);
    expect(new Set(rows.map((row) => row.cost_state))).toEqual(new Set(["unknown"]));
    expect(rows.some((row) => row.model === "gpt-5.5" && row.cache_read > 0)).toBe(true);
    expect(await unpricedCalls()).toBe(rows.length);
  });

  it("prices gpt-5.5 in place with the provider README's command", async () => {
    await cli(
      readmeCommand(PROVIDER_README, "openclaw config set models.providers.cloudsigma.models"),
      "reprice-config-set",
    );
  });

  it("reprice --dry-run prints what it would change and changes nothing", async () => {
    const before = callRows();
    const dry = await cli(readmeCommand(LEDGER_README, "reprice --dry-run"), "reprice-dry-run");
    expect(dry.stdout).toContain(`Examined ${gpt + kimi} row(s) recorded without a complete price`);
    expect(dry.stdout).toContain(`Would reprice ${gpt} row(s):`);
    expect(dry.stdout).toMatch(
      new RegExp(
        ` {2}cloudsigma/gpt-5\\.5 {2}unknown -> known {2}${gpt} row\\(s\\) {2}cost \\+\\$[\\d.]+ {2}\\(prices: config\\)`,
      ),
    );
    expect(dry.stdout).toContain("Dry run: nothing was changed.");
    expect(callRows()).toEqual(before);
  });

  it("reprice prices the gpt-5.5 rows by the new price and says why kimi-k2.6 stays unpriced", async () => {
    const done = await cli(["usage-ledger", "reprice", "--since", "1d"], "reprice-run");
    expect(done.stdout).toContain(`Repriced ${gpt} row(s):`);
    expect(done.stdout).toMatch(
      new RegExp(
        `cloudsigma/kimi-k2\\.6 {2}unknown {2}${kimi} row\\(s\\): no input, output(, cacheRead)? price for cloudsigma/kimi-k2\\.6`,
      ),
    );
    for (const row of callRows()) {
      if (row.model === "kimi-k2.6") expect(row.cost_state).toBe("unknown");
      else {
        expect(row).toMatchObject({ cost_state: "known", cost_source: "catalog" });
        expect(row.cost_nusd).toBe(priced(row));
      }
    }
    const provenance = readLedgerRows(ledger, "granularity = 'call' AND repriced_from = 'config'");
    expect(provenance).toHaveLength(gpt);
  });

  it("a second reprice changes nothing, and the report counts only kimi-k2.6 unpriced", async () => {
    const before = callRows();
    const again = await cli(["usage-ledger", "reprice"], "reprice-again");
    expect(again.stdout).toContain("Repriced 0 row(s).");
    expect(callRows()).toEqual(before);
    expect(await unpricedCalls()).toBe(kimi);
  });
});
