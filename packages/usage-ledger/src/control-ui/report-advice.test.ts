import { describe, expect, it } from "vitest";
import { adviceText, CAUSE_ADVICE } from "../report/advice.ts";
import { missedCostPageText, readFigures, readReport } from "./report-figures.ts";

describe("the page's advice and missed cost", () => {
  it.each([
    ["priced", { missedCostUsd: 0.0276, missedUnpricedRows: 0 }, "$0.028"],
    ["some unpriced", { missedCostUsd: 0.0276, missedUnpricedRows: 2 }, "≥ $0.028 (2 unpriced)"],
    ["none priced", { missedCostUsd: null, missedUnpricedRows: 2 }, "unknown"],
  ])("missed cost %s reads %s", (_label, row, expected) => {
    expect(missedCostPageText(readFigures({ calls: 1, ...row }))).toBe(expected);
  });

  it("reads each cause with the CLI's advice, and the pricier routes; junk is dropped", () => {
    const report = readReport({
      rows: [],
      causes: [
        { cause: "ttl_expired", lostTokens: 12288, missedCostUsd: 0.0276, missedUnpricedRows: 0 },
        { cause: "from_a_newer_ledger", lostTokens: 5 },
        { lostTokens: 3 },
        "junk",
      ],
      pricierRoutes: [
        {
          agent: "main",
          requested: "cloudsigma/auto",
          routed: "claude-fable-5",
          cheapest: "gpt-5.5",
          calls: 4,
          ofCalls: 7,
          costUsd: 0.1,
          costShare: 0.8,
          rateRatio: 2.4,
        },
        { agent: "x" },
      ],
    });
    expect(report.causes).toEqual([
      {
        cause: "ttl_expired",
        lostTokens: 12288,
        missedCostUsd: 0.0276,
        missedUnpricedRows: 0,
        advice: adviceText(CAUSE_ADVICE.ttl_expired),
      },
      {
        cause: "from_a_newer_ledger",
        lostTokens: 5,
        missedCostUsd: null,
        missedUnpricedRows: 0,
        advice: null,
      },
    ]);
    expect(report.pricierRoutes.map((r) => [r.agent, r.routed, r.rateRatio])).toEqual([
      ["main", "claude-fable-5", 2.4],
    ]);
    expect(readReport({}).causes).toEqual([]);
  });
});
