import { describe, expect, it } from "vitest";
import { readFigures } from "./report-figures.ts";
import { sortRows } from "./table-view.ts";

const rows = [
  { ...readFigures({ key: "b", calls: 5, hitPercent: 40, costUsd: 0.2 }), topCause: "cold" },
  readFigures({ key: "a", calls: 9, hitPercent: null, costUsd: 0.1 }),
  readFigures({ key: "c", calls: 1, hitPercent: 80, costUsd: 0.3 }),
];
const keys = (sorted: ReadonlyArray<{ key: string | null }>) => sorted.map((r) => r.key);

describe("the Token cache table's sorting", () => {
  it.each([
    ["calls", true, ["a", "b", "c"]],
    ["calls", false, ["c", "b", "a"]],
    // A group without a hit rate sorts below every rate, not as 0 %.
    ["hit", true, ["c", "b", "a"]],
    ["cost", true, ["c", "b", "a"]],
    ["key", false, ["a", "b", "c"]],
    ["cause", true, ["b", "a", "c"]],
  ])("by %s (descending: %s)", (sort, descending, expected) => {
    expect(keys(sortRows(rows, { grouping: "agent", sort, descending }))).toEqual(expected);
  });
});
