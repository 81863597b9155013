import { describe, expect, it } from "vitest";
import { textRow } from "./catalog.test-support.ts";
import type { ModelDefinition } from "./model-types.ts";
import { rowDigest } from "./onboard-marks.ts";
import { mergeOnboardedRows, type OnboardedRowsInput } from "./onboard-rows.ts";

const row = (id: string, maxTokens = 8_000) =>
  textRow(id, { cost: { input: 1, output: 2, cacheRead: 0, cacheWrite: 0 }, maxTokens });

/** What an earlier onboarding wrote: the rows and a mark for each. */
function onboarded(...rows: ModelDefinition[]) {
  return { existing: rows, marks: new Map(rows.map((r) => [r.id, rowDigest(r)])) };
}

const merge = (input: Partial<OnboardedRowsInput> & Pick<OnboardedRowsInput, "current">) =>
  mergeOnboardedRows({ existing: [], marks: new Map(), listed: true, ...input });

describe("mergeOnboardedRows", () => {
  it("replaces onboarding's own rows with the current values and marks them", () => {
    const result = merge({
      ...onboarded(row("a", 8_000), row("b")),
      current: [row("a", 16_000), row("b")],
    });
    expect(result.models).toEqual([row("a", 16_000), row("b")]);
    expect(result.marks.get("a")).toBe(rowDigest(row("a", 16_000)));
    expect(result).toMatchObject({ refreshed: 1, added: 0, removed: [], keptOperatorRows: [] });
  });

  it("keeps a row the operator edited after onboarding wrote it, and stops marking it", () => {
    const earlier = onboarded(row("a"), row("b"));
    const edited = { ...row("a"), name: "My A", maxTokens: 1_000 };
    const result = merge({
      existing: [edited, row("b")],
      marks: earlier.marks,
      current: [row("a", 16_000), row("b")],
    });
    expect(result.models).toEqual([edited, row("b")]);
    expect(result.marks.has("a")).toBe(false);
    expect(result.keptOperatorRows).toEqual(["a"]);
  });

  it("keeps a row the operator added, unmarked, ahead of the current rows", () => {
    const mine = row("my-proxy-route");
    const result = merge({ existing: [mine], current: [row("a")] });
    expect(result.models).toEqual([mine, row("a")]);
    expect([...result.marks.keys()]).toEqual(["a"]);
    expect(result).toMatchObject({ added: 1, keptOperatorRows: [] });
  });

  it("removes onboarding's rows the gateway no longer lists, but only after a successful read", () => {
    const earlier = onboarded(row("a"), row("gone"));
    expect(merge({ ...earlier, current: [row("a")], listed: true })).toMatchObject({
      models: [row("a")],
      removed: ["gone"],
    });
    const unread = merge({ ...earlier, current: [row("a")], listed: false });
    expect(unread.models).toEqual([row("a"), row("gone")]);
    expect(unread.marks.get("gone")).toBe(rowDigest(row("gone")));
    expect(unread.removed).toEqual([]);
  });

  it("takes the first current row of an id (the static row before a listed one)", () => {
    const result = merge({ current: [row("a", 8_000), row("a", 1)] });
    expect(result.models).toEqual([row("a", 8_000)]);
    expect(result.added).toBe(1);
  });

  it("treats a mark that no row matches any more as absent", () => {
    const result = merge({ existing: [], marks: new Map([["a", "0000"]]), current: [row("a")] });
    expect(result).toMatchObject({ models: [row("a")], added: 1 });
  });
});
