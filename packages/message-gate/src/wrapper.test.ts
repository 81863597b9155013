import { describe, expect, it } from "vitest";
import { withWrapper } from "./wrapper.ts";

describe("withWrapper", () => {
  it.each([
    ["hello", "[A]\nhello\n[Z]"],
    ["  hello \n", "[A]\nhello\n[Z]"],
    ["[A]\nhello\n[Z]", "[A]\nhello\n[Z]"],
    ["  [A] already [Z]  ", "  [A] already [Z]  "],
    ["", ""],
    ["   ", "   "],
  ])("wraps %j as %j", (input, expected) => {
    expect(withWrapper(input, "[A]", "[Z]")).toBe(expected);
  });

  it("is idempotent", () => {
    const once = withWrapper("status: all good", "[A]", "[Z]");
    expect(withWrapper(once, "[A]", "[Z]")).toBe(once);
  });

  it("adds no blank lines for an empty prefix or suffix", () => {
    expect(withWrapper("hi", "", "[Z]")).toBe("hi\n[Z]");
  });
});
