import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
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
} from "../../../e2e/harness/index.ts";
import { readLedgerRows } from "./ledger-e2e.test-support.ts";
import { adviceText, CAUSE_ADVICE } from "./report/advice.ts";
import type { ReportJson } from "./report/output.ts";

// What an operator reads after a morning on `cloudsigma/auto`: turns that lose the cache for
// different reasons (a replica drain, a changed AGENTS.md, an idle gap past the TTL) and one
// `--thinking high` turn that the autorouter sends to its pricier reasoning route. The CLI's
// table and `--by cause` print the advice for each cause present with its missed cost, and a
// route-cost line for the agent; `--json` carries the same.

const TTL_SECONDS = 20;
/** The session an operator ran one `--thinking high` turn in (its level stays on the session). */
const THINKING = "agent:main:plan";
const SESSION = "agent:main:advice";

describe("advice next to every cause, from the real CLI", () => {
  let host: Host;
  const chat = () => host.emulator.requests().filter((r) => r.path === "/v1/chat/completions");
  const turn = (message: string, sessionKey = SESSION, thinking?: string) =>
    runAgentTurn(host.state, { message, sessionKey, ...(thinking ? { thinking } : {}) });
  const report = (...args: string[]) =>
    runOpenClaw(host.state, ["usage-ledger", "report", "--since", "all", ...args]);

  beforeAll(async () => {
    host = await startHost({
      name: "cause-advice",
      emulator: { replicas: 2, cacheTtlMs: TTL_SECONDS * 1000 },
      config: ({ state }) => ({
        // The autorouter's row (unpriced: its calls are priced by the route TaaS picked) and
        // the emulator's priced routes.
        models: [
          { id: "auto", reasoning: true, compat: { supportsReasoningEffort: true } },
          ...providerModels(),
        ],
        primaryModel: "cloudsigma/auto",
        agents: [{ id: "main", workspace: join(state.dir, "workspace-main") }],
        plugins: [ledgerPlugin({ cacheTtlSeconds: TTL_SECONDS }), optimizerPlugin()],
      }),
      gateway: { token: "cause-advice-token", start: false },
    });
    await mkdir(join(host.state.dir, "workspace-main"), { recursive: true });
    // Thinking off unless a turn asks, as the provider plugin's auto row does.
    const set = ["config", "set", "agents.defaults.thinkingDefault", "off"];
    const result = await runOpenClaw(host.state, set, { logName: "config-set" });
    expect(result.code, result.stderr).toBe(0);
    await host.startGateway();
  });
  afterAll(() => tearDownHost(host));

  it("prints each cause's meaning, lever and missed cost, and the agent's route-cost line", async () => {
    await turn("Think hard about a plan.", THINKING, "high");
    await turn("And the next step?", THINKING);
    await turn("First turn: hello.");
    await turn("Second turn, same conversation.");
    host.emulator.drain([chat().at(-1)?.replica ?? ""]);
    await turn("Fourth turn, after a replica drain.");
    await writeFile(join(host.state.dir, "workspace-main", "AGENTS.md"), "# Rules\nBe brief.\n");
    await turn("Fifth turn, with new agent rules.");
    await new Promise((resolve) => setTimeout(resolve, (TTL_SECONDS + 2) * 1000));
    await turn("Sixth turn, after an idle gap past the TTL.");
    const ledger = join(host.state.dir, "usage-ledger", "ledger.sqlite");
    const rows = await waitFor("six accounted ledger calls", () => {
      const found = readLedgerRows(ledger, "granularity = 'call' AND miss_cause IS NOT NULL");
      return found.length >= 6 ? found : undefined;
    });
    // The thinking session's calls went to the reasoning route, the other session's elsewhere.
    const routed = new Set(rows.map((r) => r.routed_model));
    expect(routed.has("claude-fable-5"), [...routed].join(", ")).toBe(true);
    expect(routed.size).toBeGreaterThan(1);

    const json = parseJsonOutput<ReportJson>(await report("--by", "agent", "--json"), "--json");
    const present = json.causes.map((c) => c.cause);
    expect(present.length).toBeGreaterThan(1);
    for (const c of json.causes) {
      expect(c.advice, c.cause).toEqual(CAUSE_ADVICE[c.cause as keyof typeof CAUSE_ADVICE]);
    }
    expect(json.pricierRoutes.map((r) => [r.agent, r.routed])).toEqual([
      ["main", "claude-fable-5"],
    ]);

    const table = await report("--by", "agent");
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/LOST\s+MISSED \$\s+COST \$/);
    expect(table.stdout).toContain("What each cause means and what to do (LOST tokens, MISSED $):");
    for (const c of json.causes) {
      const advice = c.advice ? adviceText(c.advice) : "";
      expect(table.stdout, c.cause).toMatch(
        new RegExp(`\\n  ${c.cause}: [\\d,]+ lost, (\\$[\\d.]+~? missed|missed cost unknown)\\.`),
      );
      expect(table.stdout).toContain(advice);
    }
    expect(table.stdout).toMatch(
      /Route cost: agent main: \d+ of \d+ call\(s\) to cloudsigma\/auto went to claude-fable-5, \d+ % of their cost/,
    );

    const byCause = await report("--by", "cause");
    expect(byCause.code, byCause.stderr).toBe(0);
    expect(byCause.stdout).toMatch(/^CAUSE\s+CALLS.*LOST\s+MISSED \$/m);
    for (const cause of present) expect(byCause.stdout).toMatch(new RegExp(`\\n  ${cause}: `));
    const causeJson = parseJsonOutput<ReportJson>(await report("--by", "cause", "--json"), "json");
    for (const row of causeJson.rows.filter((r) => r.key)) {
      expect(row.advice, String(row.key)).toEqual(
        CAUSE_ADVICE[row.key as keyof typeof CAUSE_ADVICE] ?? null,
      );
    }
    // The missed cost the table prints per cause adds up to the report's MISSED $ total.
    const perCause = json.causes.reduce((sum, c) => sum + (c.missedCostUsd ?? 0), 0);
    expect(perCause).toBeCloseTo(json.totals.missedCostUsd ?? 0, 9);
  });
});
