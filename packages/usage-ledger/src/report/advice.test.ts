import { describe, expect, it } from "vitest";
import { MISS_CAUSES } from "../cache/accounting.ts";
import { adviceFor, adviceText, CAUSE_ADVICE } from "./advice.ts";
import { reportToJson } from "./output.ts";
import type { LedgerReport, ReportRow } from "./query.ts";
import { reportToTable } from "./table.ts";
import { addTotals, emptyTotals } from "./totals.ts";

const group = (key: string, over: Partial<ReportRow>): ReportRow => ({
  ...emptyTotals(),
  key,
  topCause: null,
  rows: 1,
  calls: 1,
  ...over,
});

function report(by: LedgerReport["by"], rows: ReportRow[]): LedgerReport {
  const totals = emptyTotals();
  for (const row of rows) addTotals(totals, row);
  return {
    by,
    since: Date.UTC(2026, 11, 1),
    until: Date.UTC(2026, 11, 2),
    rows,
    totals,
    omitted: 0,
    pricierRoutes: [],
    causes: [
      {
        cause: "ttl_expired",
        lostTokens: 12_288,
        missedCostNano: 27_648_000,
        missedUnpricedRows: 0,
      },
      { cause: "prefix_system", lostTokens: 2_048, missedCostNano: 0, missedUnpricedRows: 0 },
      { cause: "replica_switch", lostTokens: 1_024, missedCostNano: 0, missedUnpricedRows: 2 },
    ],
  };
}

describe("cause advice", () => {
  it("has a meaning for every cause, and a lever for every cause an operator can act on", () => {
    expect(Object.keys(CAUSE_ADVICE).sort()).toEqual([...MISS_CAUSES].sort());
    for (const cause of MISS_CAUSES) expect(CAUSE_ADVICE[cause].meaning).not.toBe("");
    for (const cause of ["cold", "ttl_expired", "replica_switch", "prefix_system"] as const)
      expect(CAUSE_ADVICE[cause].lever).toBeTruthy();
    expect(adviceFor("no_such_cause")).toBeUndefined();
    expect(adviceFor(null)).toBeUndefined();
  });

  it.each([
    ["ttl_expired", "agents.defaults.heartbeat.every"],
    ["prefix_system", "workspace file"],
    ["replica_switch", "affinity"],
    ["cold", 'affinityScope "workspace"'],
  ])("%s names the lever (%s)", (cause, lever) => {
    expect(adviceText(adviceFor(cause) ?? { meaning: "", lever: null })).toContain(lever);
  });

  it("the table has a MISSED $ column and one advice line per cause that lost tokens", () => {
    const table = reportToTable(
      report("agent", [
        group("main", {
          missedTokens: 12_288,
          missedCostNano: 27_648_000,
          topCause: "ttl_expired",
        }),
      ]),
    );
    expect(table).toMatch(/LOST\s+MISSED \$\s+COST \$/);
    expect(table).toMatch(/main\s+1\s+0\s+0\s+0\s+0\s+-\s+-\s+-\s+12,288\s+0\.028\s/);
    expect(table).toContain("What each cause means and what to do (LOST tokens, MISSED $):");
    expect(table).toContain(
      "  ttl_expired: 12,288 lost, $0.028 missed. Idle longer than the cache TTL before this call. Keep the prefix warm",
    );
    expect(table).toContain("  prefix_system: 2,048 lost, $0 missed. The system prompt changed");
    // Two of its misses had no price: the sum is a lower bound, and the line says it is.
    expect(table).toContain("  replica_switch: 1,024 lost, missed cost unknown.");
  });

  it("JSON carries the advice: per cause, and per row of a report by cause", () => {
    const json = reportToJson(
      report("cause", [group("ttl_expired", { missedTokens: 12_288, missedCostNano: 27_648_000 })]),
    );
    expect(json.rows[0]?.advice).toEqual(CAUSE_ADVICE.ttl_expired);
    expect(json.rows[0]?.missedCostUsd).toBe(0.027648);
    expect(json.causes[0]).toEqual({
      cause: "ttl_expired",
      lostTokens: 12_288,
      missedCostUsd: 0.027648,
      missedUnpricedRows: 0,
      advice: CAUSE_ADVICE.ttl_expired,
    });
    expect(json.causes[2]?.missedCostUsd).toBeNull();
    expect(reportToJson(report("agent", [])).rows).toEqual([]);
  });
});
