import { describe, expect, it } from "vitest";
import { errorText, quoteInput } from "./error-text.ts";

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

describe("quoteInput", () => {
  it("quotes input as JSON, at most 100 characters by default", () => {
    expect(quoteInput("color")).toBe('"color"');
    expect(quoteInput(7)).toBe("7");
    expect(quoteInput(undefined)).toBe("undefined");
    const quoted = quoteInput("x".repeat(1_000_000));
    expect(quoted).toHaveLength(103);
    expect(quoted.endsWith("...")).toBe(true);
  });
});
