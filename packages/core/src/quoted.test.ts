import { describe, expect, it } from "vitest";
import { quoted } from "./quoted.ts";

describe("quoted", () => {
  it.each([
    ["short", '"short"'],
    ["two\nlines", '"two\\nlines"'],
    ["x".repeat(150), `"${"x".repeat(100)}…"`],
    [42, '"42"'],
  ])("quotes %j as %s", (value, expected) => {
    expect(quoted(value)).toBe(expected);
  });

  it("takes another bound", () => {
    expect(quoted("abcdef", 3)).toBe('"abc…"');
  });
});
