import { describe, expect, it } from "vitest";
import { isRecord } from "./records.ts";

describe("isRecord", () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [null, false],
    [[], false],
    ["text", false],
    [3, false],
    [undefined, false],
  ])("%j -> %s", (value, expected) => {
    expect(isRecord(value)).toBe(expected);
  });
});
