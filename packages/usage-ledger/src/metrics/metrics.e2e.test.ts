import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Host,
  ledgerPlugin,
  optimizerPlugin,
  type RunningPrometheus,
  runAgentTurn,
  startHost,
  startPrometheus,
  tearDownHost,
  waitFor,
} from "../../../../e2e/harness/index.ts";
import { readLedgerRows } from "../ledger-e2e.test-support.ts";

const TOKEN = "metrics-token";
const PATH = "/usage-ledger/metrics";

describe("usage-ledger Prometheus metrics in the real host", () => {
  let host: Host;
  let prometheus: RunningPrometheus | undefined;
  let ledger: string;

  const metricsUrl = () => `http://127.0.0.1:${host.gateway?.port ?? 0}${PATH}`;
  const scrape = (token?: string) =>
    fetch(metricsUrl(), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(10_000),
    });

  /** The ledger's lifetime sums, read from the file as another process would. */
  const ledgerTotals = () => {
    const rows = readLedgerRows(ledger);
    const total = (key: "calls" | "input" | "output" | "cache_read" | "cache_write") =>
      rows.reduce((sum, row) => sum + row[key], 0);
    return {
      rows: rows.length,
      calls: total("calls"),
      input: total("input"),
      output: total("output"),
      cache_read: total("cache_read"),
      cache_write: total("cache_write"),
    };
  };

  beforeAll(async () => {
    host = await startHost({
      name: "ledger-metrics",
      emulator: { replicas: 1 },
      config: {
        plugins: [ledgerPlugin(), optimizerPlugin()],
      },
      gateway: { token: TOKEN },
    });
    ledger = join(host.state.dir, "usage-ledger", "ledger.sqlite");
  });

  afterAll(async () => {
    await prometheus?.stop();
    await tearDownHost(host);
  });

  it("serves the ledger's counters behind gateway auth, and a real Prometheus scrapes the same totals", async () => {
    for (const message of ["First metrics turn.", "Second metrics turn, same session."]) {
      await runAgentTurn(host.state, { message, sessionKey: "agent:main:metrics" });
    }
    const totals = await waitFor("two ledger rows", () => {
      const found = ledgerTotals();
      return found.rows >= 2 ? found : undefined;
    });
    expect(totals.cache_read).toBeGreaterThan(0);

    expect((await scrape()).status).toBe(401);
    expect((await scrape("wrong-token")).status).toBe(401);
    const direct = await waitFor("metrics with both calls", async () => {
      const response = await scrape(TOKEN);
      const text = response.ok ? await response.text() : "";
      return text.includes(`usage_ledger_calls_total{`) ? text : undefined;
    });
    expect(direct).toContain('agent="main"');
    expect(direct).toMatch(/gen_ai_token_type="cache_read"/);

    prometheus = await startPrometheus(join(host.state.dir, "prometheus"), {
      port: host.gateway?.port ?? 0,
      path: PATH,
      token: TOKEN,
    });
    const scraped = prometheus;
    await waitFor(
      "Prometheus's totals equal to the ledger's",
      async () => {
        const calls = await scraped.query("sum(usage_ledger_calls_total)");
        if (calls !== totals.calls) return undefined;
        for (const type of ["input", "output", "cache_read", "cache_write"] as const) {
          const value = await scraped.query(
            `sum(usage_ledger_tokens_total{gen_ai_token_type="${type}"})`,
          );
          if (value !== totals[type]) return undefined;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(await scraped.query('up{job="openclaw-gateway"}')).toBe(1);
  });

  it("answers the same counters after a gateway restart (they come from the ledger file)", async () => {
    const before = ledgerTotals();
    await host.gateway?.stop();
    await host.startGateway();
    const text = await waitFor("metrics after the restart", async () => {
      const response = await scrape(TOKEN);
      return response.ok ? await response.text() : undefined;
    });
    const calls = [...text.matchAll(/^usage_ledger_calls_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
    expect(calls).toBe(before.calls);
  });
});
