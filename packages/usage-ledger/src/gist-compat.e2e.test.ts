import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Host,
  nonEmpty,
  parseJsonOutput,
  REPO_ROOT,
  runAgentTurn,
  runOpenClaw,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../e2e/harness/index.ts";
import { pollRows } from "../../../test-support/sqlite-rows.ts";
import { GIST_HISTORY, writeGistFile } from "./gist/gist-file.test-support.ts";
import { type ReportPayload, readLedgerRows } from "./ledger-e2e.test-support.ts";

/*
 * An operator moving from the original usage-ledger extension: its usage-ledger.db (with some
 * llm_usage_events history) at its default place in the workspace, and its documented config,
 * `{enabled, dbPath, debug}`, kept as it was. The real gateway must start with that config,
 * import the history once, and keep the table current for the dashboards that read it.
 */

const SESSION = "agent:main:gist-compat";

interface GistRow {
  id: number;
  ts: number;
  request_id: string | null;
  model: string | null;
  provider: string | null;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  latency_ms: number | null;
  success: number;
  source_event: string;
  raw_json: string | null;
}

describe("usage-ledger with an original usage-ledger installation, in the real host", () => {
  let host: Host;
  let gistDb: string;

  const gistRows = () =>
    pollRows(gistDb, "SELECT * FROM llm_usage_events ORDER BY id") as unknown as GistRow[];
  const imported = () => readLedgerRows(gistDb, "trigger = 'imported'");

  beforeAll(async () => {
    host = await startHost({
      name: "usage-ledger-gist",
      config: ({ state }) => {
        gistDb = join(state.dir, "workspace", ".openclaw", "state", "usage-ledger.db");
        writeGistFile(gistDb, GIST_HISTORY);
        return {
          plugins: [
            {
              id: "usage-ledger",
              path: join(REPO_ROOT, "packages", "usage-ledger"),
              // The extension's README config, as an operator has it.
              config: { enabled: true, dbPath: gistDb, debug: true },
              allowConversationAccess: true,
            },
          ],
        };
      },
      gateway: { token: "gist-token" },
    });
  });

  afterAll(() => tearDownHost(host));

  it("starts with the extension's config and imports its history once, across a restart", async () => {
    const rows = await waitFor("the imported history", () => nonEmpty(imported()), 60_000);
    expect(rows).toHaveLength(GIST_HISTORY.length);
    expect(host.gateway?.output()).toContain(
      `[usage-ledger] imported ${GIST_HISTORY.length} call(s) of the original usage-ledger history from ${gistDb}`,
    );
    await host.gateway?.stop();
    await host.startGateway();
    // The restarted gateway has started its writer (a debug line) and imported nothing more.
    await waitFor(
      "the restarted gateway's writer",
      () => host.gateway?.output().includes(`was imported before`) || undefined,
      60_000,
    );
    expect(imported()).toHaveLength(GIST_HISTORY.length);
    expect(gistRows()).toHaveLength(GIST_HISTORY.length);
  });

  it("a turn adds a ledger row and an llm_usage_events row in the extension's shape", async () => {
    const turn = await runAgentTurn(host.state, {
      message: "Hello from a gist user.",
      sessionKey: SESSION,
    });
    const [ledgerRow] = await waitFor(
      "the turn's ledger row",
      () => nonEmpty(readLedgerRows(gistDb, "run_id = ?", turn.runId ?? "?")),
      60_000,
    );
    const added = await waitFor(
      "the turn's llm_usage_events row",
      () => nonEmpty(gistRows().filter((row) => row.id > GIST_HISTORY.length)),
      60_000,
    );
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      ts: ledgerRow?.ts,
      request_id: ledgerRow?.call_id,
      model: ledgerRow?.model,
      provider: ledgerRow?.provider,
      input_tokens: ledgerRow?.input,
      output_tokens: ledgerRow?.output,
      total_tokens: ledgerRow?.total,
      cache_read_input_tokens: ledgerRow?.cache_read,
      cache_creation_input_tokens: ledgerRow?.cache_write,
      success: 1,
      source_event: "usage-ledger",
    });
    expect(ledgerRow?.input).toBeGreaterThan(0);
    expect(JSON.parse(added[0]?.raw_json ?? "{}")).toMatchObject({
      eventId: ledgerRow?.event_id,
      sessionKey: SESSION,
    });
  });

  it("report --json shows the imported history as its own group, cost unknown", async () => {
    const cli = await runOpenClaw(
      host.state,
      ["usage-ledger", "report", "--by", "trigger", "--since", "all", "--json"],
      { logName: "usage-ledger-report-gist" },
    );
    const report = parseJsonOutput<ReportPayload>(cli, "openclaw usage-ledger report --json");
    const history = report.rows.find((row) => row.key === "imported");
    expect(history).toMatchObject({
      calls: GIST_HISTORY.length,
      costUsd: null,
      costState: "unknown",
      unpricedCalls: GIST_HISTORY.length,
    });
    expect(report.rows.find((row) => row.key === "user")).toMatchObject({ calls: 1 });
    expect(report.totals.unpricedCalls).toBeGreaterThanOrEqual(GIST_HISTORY.length);
  });
});
