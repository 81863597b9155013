import { describe, expect, it } from "vitest";
import {
  moneyNoteLines,
  moneyText,
  percentText,
  readFigures,
  readReport,
} from "./report-figures.ts";

describe("the page's reading of report rows", () => {
  it.each([
    ["every call priced", { calls: 4, costUsd: 0.5, costState: "known" }, "$0.500"],
    ["no call priced", { calls: 4, costUsd: null, costState: "unknown" }, "unknown"],
    [
      "some calls priced",
      { calls: 4, costUsd: 0.5, costState: "partial", unpricedCalls: 1 },
      "≥ $0.500 (1 unpriced)",
    ],
    ["a cost without a state", { calls: 2, costUsd: null }, "unknown"],
    ["no calls", { calls: 0, costUsd: 0 }, "–"],
  ])("%s: cost reads %s, never a $0 for an unknown price", (_, row, expected) => {
    expect(moneyText(readFigures(row), "cost")).toBe(expected);
  });

  it("reads a saving by its own state and unpriced count, not the cost's", () => {
    const figures = readFigures({
      calls: 4,
      costUsd: 1,
      costState: "known",
      cacheSavingUsd: 0.25,
      savingState: "partial",
      savingUnknownRows: 3,
    });
    expect(moneyText(figures, "cost")).toBe("$1.00");
    expect(moneyText(figures, "saving")).toBe("≥ $0.250 (3 unpriced)");
    expect(moneyNoteLines(figures)).toEqual([
      "Saving leaves out 3 row(s) without both an input and a cache-read price",
    ]);
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
