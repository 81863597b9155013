import { describe, expect, it } from "vitest";
import { errorText } from "./error-text.ts";

describe("errorText", () => {
  it("reads an Error's message and any other thrown value as text", () => {
    expect(errorText(new Error("disk full"))).toBe("disk full");
    expect(errorText("plain")).toBe("plain");
    expect(errorText(42)).toBe("42");
  });

  it("bounds a long message", () => {
    const text = errorText(new Error("x".repeat(2_000)), 100);
    expect(text).toBe(`${"x".repeat(100)}...`);
  });
});
