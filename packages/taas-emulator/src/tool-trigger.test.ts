import { describe, expect, it } from "vitest";
import { parseToolTriggers } from "./tool-trigger.ts";

describe("parseToolTriggers", () => {
  it("defaults arguments to an empty object", () => {
    expect(parseToolTriggers("please [[tool:list_files]] now")).toEqual([
      { name: "list_files", args: {} },
    ]);
  });

  it("parses JSON arguments, including ones that contain ]]", () => {
    const text = 'x [[tool:read {"path":"a]]b","lines":[[1,2]]}]] y';
    expect(parseToolTriggers(text)).toEqual([
      { name: "read", args: { path: "a]]b", lines: [[1, 2]] } },
    ]);
  });

  it("finds several triggers in one message", () => {
    const text = '[[tool:a {"n":1}]] and [[tool:b]]';
    expect(parseToolTriggers(text).map((t) => t.name)).toEqual(["a", "b"]);
  });

  it("marks unparseable arguments and ignores unterminated triggers", () => {
    expect(parseToolTriggers("[[tool:read not-json]]")).toEqual([{ name: "read", args: null }]);
    expect(parseToolTriggers("[[tool:read [1,2]]]")).toEqual([{ name: "read", args: null }]);
    expect(parseToolTriggers("[[tool:read {}")).toEqual([]);
    expect(parseToolTriggers("no trigger here")).toEqual([]);
  });
});
