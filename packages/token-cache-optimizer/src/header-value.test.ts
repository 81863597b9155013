import { describe, expect, it } from "vitest";
import { MAX_HEADER_VALUE_LENGTH, sanitizeHeaderValue } from "./header-value.ts";

describe("sanitizeHeaderValue", () => {
  it.each([
    ["oc:0123456789abcdef", "oc:0123456789abcdef"],
    ["a\r\nX-Injected: 1", "aX-Injected: 1"],
    ["caf\u00e9-\u{1F600}-id", "caf--id"],
    ["  padded  ", "padded"],
    [42, "42"],
  ])("%j -> %j", (input, expected) => {
    expect(sanitizeHeaderValue(input)).toBe(expected);
  });

  it.each([[""], ["\r\n"], ["\u00e9\u00e9"], [undefined], [null], [{}]])("drops %j", (input) => {
    expect(sanitizeHeaderValue(input)).toBeUndefined();
  });

  it("bounds the length", () => {
    const value = sanitizeHeaderValue("x".repeat(5000));
    expect(value).toHaveLength(MAX_HEADER_VALUE_LENGTH);
    expect(sanitizeHeaderValue("abcdef", 3)).toBe("abc");
  });
});
