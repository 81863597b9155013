import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RouteReader } from "@cloudsigma/taas-core/contracts/route-store";
import { ledgerCauseOf } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Host,
  ledgerPlugin,
  optimizerPlugin,
  parseJsonOutput,
  runAgentTurn,
  runOpenClaw,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../../e2e/harness/index.ts";
import { readLedgerRows } from "../ledger-e2e.test-support.ts";

// Each attributable cause, produced in the real host against the emulator, and the ledger's
// cause for every call equal to the emulator's ground truth for it (joined by request id).

const TTL_SECONDS = 20;
const SESSION = "agent:main:causes";

interface CauseReport {
  rows: Array<{ key: string | null; calls: number; missedTokens: number }>;
  totals: { calls: number; missedTokens: number; expectedCacheRead: number };
}

async function causesHost(name: string, minTokens: number): Promise<Host> {
  return startHost({
    name,
    emulator: { replicas: 2, cacheTtlMs: TTL_SECONDS * 1000, minCacheTokens: minTokens },
    config: ({ state }) => ({
      agents: [{ id: "main", workspace: join(state.dir, "workspace-main") }],
      plugins: [
        ledgerPlugin({ cacheTtlSeconds: TTL_SECONDS, cacheMinTokens: minTokens, missLogTokens: 1 }),
        optimizerPlugin(),
      ],
    }),
    gateway: { token: "causes-token" },
  });
}

interface CallCause {
  requestId: string | undefined;
  ledger: string | null;
  truth: string;
}

/** Per ledger call row, in order: the ledger's cause and the cause the emulator's truth maps to. */
async function causesOf(host: Host, calls: number): Promise<CallCause[]> {
  const ledger = join(host.state.dir, "usage-ledger", "ledger.sqlite");
  const found = await waitFor(`${calls} ledger call rows`, () => {
    const rows = readLedgerRows(ledger, "granularity = 'call'");
    return rows.length >= calls ? rows : undefined;
  });
  const routes = new RouteReader(host.state.dir);
  const byRequest = new Map(host.emulator.requests().map((r) => [r.requestId, r]));
  try {
    return found.map((row): CallCause => {
      const requestId = row.call_id ? routes.byCallId(row.call_id)?.requestId : undefined;
      const truth = requestId ? byRequest.get(requestId) : undefined;
      const expected = truth?.cacheCause
        ? ledgerCauseOf(
            { cause: truth.cacheCause, at: truth.cacheCauseAt },
            // This host's emulator names each call's replica (X-TaaS-Upstream, its default).
            { upstreamHeader: true },
          )
        : "no emulator record";
      return { requestId, ledger: row.miss_cause, truth: expected };
    });
  } finally {
    routes.close();
  }
}

describe("cache causes in the real host, against the emulator's ground truth", () => {
  let host: Host;
  /** Per turn, the request id of its last model call: a turn the host retried has two calls. */
  const turnCalls: string[] = [];
  const chatRequests = () =>
    host.emulator.requests().filter((r) => r.path === "/v1/chat/completions");
  const turn = async (message: string) => {
    const before = chatRequests().length;
    await runAgentTurn(host.state, { message, sessionKey: SESSION });
    const made = chatRequests()
      .slice(before)
      .filter((r) => r.status === 200);
    expect(made.length, `model calls of "${message}"`).toBeGreaterThan(0);
    turnCalls.push(made.at(-1)?.requestId ?? "");
  };
  const lastReplica = () => chatRequests().at(-1)?.replica;

  beforeAll(async () => {
    host = await causesHost("cache-causes", 1024);
    await mkdir(join(host.state.dir, "workspace-main"), { recursive: true });
  });
  afterAll(() => tearDownHost(host));

  it("names cold, none, replica_switch, prefix_system, prefix_history and ttl_expired as the emulator does", async () => {
    await turn("First turn: hello.");
    await turn("Second turn, same conversation.");
    // TaaS takes the conversation's replica out of rotation: the next call lands elsewhere.
    host.emulator.drain([lastReplica() ?? ""]);
    await turn("Third turn, after a replica drain.");
    await turn("Fourth turn, settled on the new replica.");
    // The agent's bootstrap file is part of the system prompt.
    await writeFile(
      join(host.state.dir, "workspace-main", "AGENTS.md"),
      "# Rules\nAnswer in one line.\n",
    );
    await turn("Fifth turn, with new agent rules.");
    // Compaction by truncation drops the oldest messages: the history is rewritten.
    const compact = ["sessions", "compact", SESSION, "--max-lines", "4", "--json"];
    parseJsonOutput(await runOpenClaw(host.state, compact), `openclaw ${compact.join(" ")}`);
    await turn("Sixth turn, after the history was rewritten.");
    await new Promise((resolve) => setTimeout(resolve, (TTL_SECONDS + 2) * 1000));
    await turn("Seventh turn, after an idle gap past the TTL.");

    const answered = chatRequests().filter((r) => r.status === 200).length;
    expect(answered).toBeGreaterThanOrEqual(7);
    const causes = await causesOf(host, answered);
    // Every call's cause is the emulator's, retried calls included. The second and fourth turns
    // are whatever the host's prompt was then: the host sometimes sends the previous turn's
    // history changed near its end (prefix_history, both sides agree), otherwise none.
    expect(causes.map((c) => c.ledger)).toEqual(causes.map((c) => c.truth));
    const byRequest = new Map(causes.map((c) => [c.requestId, c.ledger]));
    const turnCauses = turnCalls.map((id) => byRequest.get(id));
    expect([0, 2, 4, 5, 6].map((i) => turnCauses[i])).toEqual([
      "cold",
      "replica_switch",
      "prefix_system",
      "prefix_history",
      "ttl_expired",
    ]);
    for (const i of [1, 3]) expect(["none", "prefix_history"]).toContain(turnCauses[i]);
  });

  it("report --by cause --json totals equal the per-call sums", async () => {
    const result = await runOpenClaw(host.state, [
      "usage-ledger",
      "report",
      "--by",
      "cause",
      "--since",
      "all",
      "--json",
    ]);
    const report = parseJsonOutput<CauseReport>(result, "usage-ledger report --by cause");
    const rows = readLedgerRows(join(host.state.dir, "usage-ledger", "ledger.sqlite"));
    expect(report.totals.calls).toBe(rows.reduce((sum, r) => sum + r.calls, 0));
    expect(report.totals.missedTokens).toBe(rows.reduce((s, r) => s + (r.missed_tokens ?? 0), 0));
    expect(report.totals.expectedCacheRead).toBe(
      rows.reduce((s, r) => s + (r.expected_cache_read ?? 0), 0),
    );
    const ttl = report.rows.find((row) => row.key === "ttl_expired");
    expect(ttl?.calls).toBe(1);
    expect(ttl?.missedTokens).toBe(rows.find((r) => r.miss_cause === "ttl_expired")?.missed_tokens);
  });
});

describe("below the provider's minimum", () => {
  let host: Host;
  beforeAll(async () => {
    // A minimum above any prompt this host sends: nothing can be cached.
    host = await causesHost("cache-causes-minimum", 1_000_000);
  });
  afterAll(() => tearDownHost(host));

  it("says below_minimum, as the emulator does", async () => {
    await runAgentTurn(host.state, { message: "One.", sessionKey: SESSION });
    await runAgentTurn(host.state, { message: "Two.", sessionKey: SESSION });
    const causes = await causesOf(host, 2);
    expect(causes.map((c) => [c.ledger, c.truth])).toEqual([
      ["cold", "cold"],
      ["below_minimum", "below_minimum"],
    ]);
  });
});
