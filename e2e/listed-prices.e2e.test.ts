import { join } from "node:path";
import { DEFAULT_API_KEY, DEFAULT_CATALOG } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLedgerRows } from "../packages/usage-ledger/src/ledger-e2e.test-support.ts";
import {
  type Host,
  ledgerPlugin,
  nonEmpty,
  optimizerPlugin,
  REPO_ROOT,
  runAgentTurn,
  startHost,
  tearDownHost,
  waitFor,
} from "./harness/index.ts";

// The TaaS provider plugin, the usage ledger and the optimizer in one gateway, no price in the
// config: the only prices are what the gateway lists in /models (here the emulator's, for
// gpt-5.5 set by this test; illustrative, not TaaS's). The provider's discovery runs in its own
// JavaScript realm, so this proves the listed prices really reach the ledger's rows.

const LISTED = { input: 2, output: 9 };
const SESSION = "agent:main:listed-prices";

describe("prices TaaS lists reach the usage ledger through a gateway", () => {
  let host: Host;
  let ledger: string;

  beforeAll(async () => {
    host = await startHost({
      name: "listed-prices",
      // One replica: the second turn reads the first one's prefix from cache.
      emulator: {
        replicas: 1,
        models: DEFAULT_CATALOG.map((row) =>
          row.id === "gpt-5.5" ? { ...row, pricing: LISTED } : row,
        ),
      },
      config: ({ emulator }) => ({
        models: [{ id: "gpt-5.5" }],
        configureProvider: false,
        primaryModel: "cloudsigma/gpt-5.5",
        plugins: [
          {
            id: "cloudsigma",
            path: join(REPO_ROOT, "packages", "taas-provider"),
            config: { baseUrl: emulator.url },
          },
          ledgerPlugin(),
          optimizerPlugin(),
        ],
        extra: { env: { vars: { CLOUDSIGMA_API_KEY: DEFAULT_API_KEY } } },
      }),
      gateway: { token: "listed-prices-token" },
    });
    ledger = join(host.state.dir, "usage-ledger", "ledger.sqlite");
  });

  afterAll(() => tearDownHost(host));

  it("prices a call at the listed price, and a call with cache reads as partial (no listed cache-read price)", async () => {
    const chats = () => host.emulator.requests().filter((r) => r.path === "/v1/chat/completions");
    const first = await runAgentTurn(host.state, { message: "First turn.", sessionKey: SESSION });
    const second = await runAgentTurn(host.state, { message: "Second turn.", sessionKey: SESSION });
    expect(host.emulator.requests().some((r) => r.path === "/v1/models")).toBe(true);
    const rowOf = (runId: string | undefined) =>
      waitFor(`the ledger row of run ${runId}`, () =>
        nonEmpty(readLedgerRows(ledger, "run_id = ?", runId ?? "?")),
      );
    const [row1] = await rowOf(first.runId);
    const [row2] = await rowOf(second.runId);
    if (!row1 || !row2) throw new Error("no ledger rows");
    const listed = (row: { input: number; output: number }) =>
      1000 * (row.input * LISTED.input + row.output * LISTED.output);

    // Turn 2 read turn 1's prefix from cache, which nobody priced.
    expect(chats().at(-1)?.cachedTokens).toBeGreaterThan(0);
    expect(row2).toMatchObject({
      model: "gpt-5.5",
      cache_read: chats().at(-1)?.cachedTokens,
      cost_nusd: listed(row2),
      cost_state: "partial",
      cost_source: "catalog",
      saving_nusd: null,
    });
    // Turn 1 was the emulator's first request: nothing cached, so every kind it used is priced.
    expect(row1).toMatchObject({
      cache_read: 0,
      cost_nusd: listed(row1),
      cost_state: "known",
      cost_source: "catalog",
      saving_nusd: 0,
    });
  });
});
