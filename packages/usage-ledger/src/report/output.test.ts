import { describe, expect, it } from "vitest";
import { csvField, reportToCsv, reportToJson } from "./output.ts";
import type { LedgerReport, ReportRow } from "./query.ts";
import { reportToTable } from "./table.ts";
import { emptyTotals, TOTAL_FIELDS } from "./totals.ts";

const row = (key: string | null, over: Partial<ReportRow> = {}): ReportRow => ({
  ...emptyTotals(),
  key,
  topCause: null,
  rows: 2,
  calls: 2,
  input: 352,
  output: 10,
  cacheRead: 2048,
  cacheWrite: 0,
  total: 2410,
  costNano: 41_915_000,
  savingNano: 2_304_000,
  // Both calls accounted: 2,304 of 2,400 prompt tokens were cacheable, 2,048 were read.
  expectedCacheRead: 2304,
  missedTokens: 256,
  invalidatedTokens: 128,
  accountedPrompt: 2400,
  accountedRead: 2048,
  ...over,
});

/** A group whose calls have no cache accounting (no optimizer capture). */
const unaccounted = {
  expectedCacheRead: 0,
  missedTokens: 0,
  invalidatedTokens: 0,
  accountedPrompt: 0,
  accountedRead: 0,
  unaccountedCalls: 2,
};

function report(rows: ReportRow[], omitted = 0): LedgerReport {
  const totals = emptyTotals();
  for (const r of rows) for (const k of TOTAL_FIELDS) totals[k] += r[k];
  return {
    by: "session",
    since: Date.UTC(2026, 10, 14),
    until: Date.UTC(2026, 10, 21),
    rows,
    totals,
    omitted,
    causes: [],
    pricierRoutes: [],
  };
}

describe("csvField", () => {
  it.each([
    ["plain", "agent:main:main", "agent:main:main"],
    ["comma", "a,b", '"a,b"'],
    ["quote", 'say "hi"', '"say ""hi"""'],
    ["newline", "line1\nline2", '"line1\nline2"'],
    ["CR", "a\rb", '"a\rb"'],
    ["formula =", '=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ["formula +", "+1", "'+1"],
    ["formula -", "-2", "'-2"],
    ["formula @", "@SUM(A1)", "'@SUM(A1)"],
    ["null", null, ""],
    ["number", 12.5, "12.5"],
    ["negative number stays a number", -3, "-3"],
    ["NaN", Number.NaN, ""],
  ] as const)("%s", (_label, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe("report renderings", () => {
  const r = report([
    row("agent:main:a,b", { topCause: "ttl_expired" }),
    // One call priced in part (cache reads without a cache-read price), one fully priced.
    row("agent:main:partly", {
      costNano: 1_000_000,
      costPartialRows: 1,
      unpricedCalls: 1,
      savingNano: 0,
      savingUnknownRows: 1,
    }),
    // Nothing priced: a model nobody set a price for.
    row(null, {
      costNano: 0,
      costUnknownRows: 2,
      unpricedCalls: 2,
      savingNano: 0,
      savingUnknownRows: 2,
      ...unaccounted,
    }),
  ]);

  it("JSON carries exact figures, the defined hit rate and how much of the money is known", () => {
    const json = reportToJson(r);
    expect(json.since).toBe("2026-11-14T00:00:00.000Z");
    expect(json.rows[0]).toEqual({
      key: "agent:main:a,b",
      topCause: "ttl_expired",
      calls: 2,
      ledgerRows: 2,
      errors: 0,
      input: 352,
      output: 10,
      cacheRead: 2048,
      cacheWrite: 0,
      total: 2410,
      hitPercent: (2048 / 2400) * 100,
      idealHitPercent: 96,
      efficiency: 2048 / 2304,
      expectedCacheRead: 2304,
      missedTokens: 256,
      invalidatedTokens: 128,
      lostTokens: 384,
      beyondPlateauTokens: 0,
      unaccountedCalls: 0,
      missedCostUsd: 0,
      missedUnpricedRows: 0,
      costUsd: 0.041915,
      costState: "known",
      costPartialRows: 0,
      costUnknownRows: 0,
      unpricedCalls: 0,
      cacheSavingUsd: 0.002304,
      savingState: "known",
      savingUnknownRows: 0,
    });
    expect(json.rows[1]).toMatchObject({
      costUsd: 0.001,
      costState: "partial",
      costPartialRows: 1,
      unpricedCalls: 1,
      cacheSavingUsd: 0,
      savingState: "partial",
    });
    // Unknown is null, never 0.
    expect(json.rows[2]).toMatchObject({
      idealHitPercent: null,
      efficiency: null,
      unaccountedCalls: 2,
      costUsd: null,
      costState: "unknown",
      costUnknownRows: 2,
      unpricedCalls: 2,
      cacheSavingUsd: null,
      savingState: "unknown",
    });
    expect(json.totals).toMatchObject({
      calls: 6,
      costUsd: 0.042915,
      costState: "partial",
      costPartialRows: 1,
      costUnknownRows: 2,
      unpricedCalls: 3,
    });
  });

  it("CSV has a header, one escaped line per group; unknown money is an empty field", () => {
    const csv = reportToCsv(r);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "key,calls,ledger_rows,errors,input,output,cache_read,cache_write,total,hit_percent,ideal_hit_percent,efficiency,expected_cache_read,missed_tokens,invalidated_tokens,lost_tokens,beyond_plateau_tokens,unaccounted_calls,missed_cost_usd,missed_unpriced_rows,cost_usd,cost_state,cost_partial_rows,cost_unknown_rows,unpriced_calls,cache_saving_usd,saving_state,saving_unknown_rows,top_cause",
    );
    const hit = (2048 / 2400) * 100;
    const cache = `${hit},96,${2048 / 2304},2304,256,128,384,0,0,0,0`;
    expect(lines[1]).toBe(
      `"agent:main:a,b",2,2,0,352,10,2048,0,2410,${cache},0.041915,known,0,0,0,0.002304,known,0,ttl_expired`,
    );
    expect(lines[2]).toBe(
      `agent:main:partly,2,2,0,352,10,2048,0,2410,${cache},0.001,partial,1,0,1,0,partial,1,`,
    );
    expect(lines[3]).toBe(
      `,2,2,0,352,10,2048,0,2410,${hit},,,0,0,0,0,0,2,0,0,,unknown,0,2,2,,unknown,2,`,
    );
    expect(lines).toHaveLength(4);
  });

  it("the table is aligned, has a TOTAL line and marks partial (~) and unknown (?) money", () => {
    const table = reportToTable(r);
    const lines = table.split("\n");
    expect(lines[0]).toBe("Usage by session, 2026-11-14T00:00:00.000Z .. 2026-11-21T00:00:00.000Z");
    expect(lines[2]).toMatch(
      /^SESSION\s+CALLS\s+INPUT\s+OUTPUT\s+CACHE READ\s+CACHE WRITE\s+HIT %\s+IDEAL %\s+EFF %\s+LOST\s+MISSED \$\s+COST \$\s+SAVED \$\s+TOP CAUSE$/,
    );
    const cache = "85\\.3\\s+96\\.0\\s+88\\s+384\\s+0";
    expect(table).toMatch(
      new RegExp(
        `agent:main:a,b\\s+2\\s+352\\s+10\\s+2,048\\s+0\\s+${cache}\\s+0\\.042\\s+0\\.0023\\s+ttl_expired\\n`,
      ),
    );
    expect(table).toMatch(
      new RegExp(
        `agent:main:partly\\s+2\\s+352\\s+10\\s+2,048\\s+0\\s+${cache}\\s+0\\.0010~\\s+0~\\s+-\\n`,
      ),
    );
    expect(table).toMatch(
      /\(unknown\)\s+2\s+352\s+10\s+2,048\s+0\s+85\.3\s+-\s+-\s+0\s+0\s+\?\s+\?\s+-\n/,
    );
    expect(table).toMatch(
      /TOTAL\s+6\s+1,056\s+30\s+6,144\s+0\s+85\.3\s+96\.0\s+88\s+768\s+0\s+0\.043~\s+0\.0023~\n/,
    );
    expect(table).toContain("2 call(s) without cache accounting");
    expect(table).toContain("LOST: cacheable tokens not read");
    expect(table).toContain("COST/SAVED: ~ a lower bound, ? unknown");
    expect(table).toContain(
      "Cost leaves out 3 unpriced call(s): 2 row(s) without a known price; 1 row(s) with a token kind without a price (only their priced part counts)",
    );
    expect(table).toContain(
      "Saving leaves out 3 row(s) without both an input and a cache-read price",
    );
    expect(table).toContain("models.providers.<id>.models[].cost");
    const widths = new Set(lines.filter((l) => /^-+/.test(l)).map((l) => l.length));
    expect(widths.size).toBe(1);
  });

  it("marks nothing when every cost is known", () => {
    const table = reportToTable(report([row("x")]));
    expect(table).not.toMatch(/[~?]/);
    expect(table).not.toContain("Prices:");
  });

  it("says so when the range is empty and when groups were left out", () => {
    expect(reportToTable(report([]))).toContain("(no usage recorded in this range)");
    expect(reportToTable(report([row("x")], 4))).toContain(
      "(4 more group(s) not shown; TOTAL includes them)",
    );
  });

  it("escapes control characters in keys instead of breaking the layout", () => {
    expect(reportToTable(report([row("evil\u001b[2Jkey")]))).toContain("evil\\x1b[2Jkey");
  });
});
