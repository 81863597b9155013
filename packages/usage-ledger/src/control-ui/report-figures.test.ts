import { describe, expect, it } from "vitest";
import { moneyText, percentText, readFigures, readReport } from "./report-figures.ts";

describe("the page's reading of report rows", () => {
  it.each([
    ["every call priced", { calls: 4, ledgerRows: 4, costUsd: 0.5, costUnknownRows: 0 }, "$0.500"],
    ["no call priced", { calls: 4, ledgerRows: 4, costUsd: 0, costUnknownRows: 4 }, "unknown"],
    [
      "some calls priced",
      { calls: 4, ledgerRows: 4, costUsd: 0.5, costUnknownRows: 1 },
      "≥ $0.500 (1 unpriced)",
    ],
    ["an explicit unknown state", { calls: 2, costUsd: 0, costState: "unknown" }, "unknown"],
    [
      "an unpriced count under a newer name",
      { calls: 3, costUsd: 1.25, unpricedCalls: 2 },
      "≥ $1.25 (2 unpriced)",
    ],
    ["no calls", { calls: 0, costUsd: 0 }, "–"],
  ])("%s: cost reads %s, never a $0 for an unknown price", (_, row, expected) => {
    const figures = readFigures(row);
    expect(moneyText(figures.costUsd, figures)).toBe(expected);
  });

  it("reads missing or mistyped fields as absent, not as numbers", () => {
    const figures = readFigures({ calls: "4", hitPercent: null, key: 7 });
    expect(figures).toMatchObject({ calls: 0, hitPercent: null, key: null, costState: "none" });
    expect(readReport("not a report")).toMatchObject({ rows: [], totals: { calls: 0 } });
  });

  it("rounds hit rates down like the CLI table, so a near miss never reads 100 %", () => {
    expect(percentText(99.96)).toBe("99.9 %");
    expect(percentText(null)).toBe("–");
  });
});
