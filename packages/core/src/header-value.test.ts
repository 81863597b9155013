import { describe, expect, it } from "vitest";
import { mergeHeadersCallerWins, sanitizeHeaderValue } from "./header-value.ts";

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
    expect(sanitizeHeaderValue("x".repeat(5000))).toHaveLength(256);
    expect(sanitizeHeaderValue("abcdef", 3)).toBe("abc");
  });
});

describe("mergeHeadersCallerWins", () => {
  it("keeps the caller's headers, matching names case-insensitively", () => {
    expect(
      mergeHeadersCallerWins(
        { "X-Session-Id": "ours", "X-OpenClaw-Attempt": "1" },
        { "x-session-id": "theirs", traceparent: "t" },
      ),
    ).toEqual({
      "X-OpenClaw-Attempt": "1",
      "x-session-id": "theirs",
      traceparent: "t",
    });
  });

  it("sends ours as they are when the caller set none", () => {
    const ours = { "X-Session-Id": "ours" };
    expect(mergeHeadersCallerWins(ours, undefined)).toBe(ours);
  });
});
