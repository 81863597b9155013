import { MAX_WINDOW_TOKENS } from "@cloudsigma/taas-core/token-window";
import { describe, expect, it } from "vitest";
import { CAPTURED_HEADERS, captureFromResponse } from "./route-capture.ts";

const context = {
  affinityId: "oc:0123456789abcdef",
  attempt: 1,
  provider: "cloudsigma",
  model: "auto",
};

/** The context window a response's header leaves in its capture. */
const windowFrom = (value: string) =>
  captureFromResponse(
    { status: 200, headers: { [CAPTURED_HEADERS.routedContextWindow]: value } },
    context,
  ).routedContextWindow;

describe("X-TaaS-Routed-Context-Window in the route capture", () => {
  it.each([
    ["1050000", 1_050_000],
    [" 400000 ", 400_000],
    [String(MAX_WINDOW_TOKENS), MAX_WINDOW_TOKENS],
  ])("keeps %j as %d tokens", (value, tokens) => {
    expect(windowFrom(value)).toBe(tokens);
  });

  it.each([
    "1e308",
    String(MAX_WINDOW_TOKENS + 1),
    "9007199254740993",
    "Infinity",
    "0",
    "-4096",
    "1050000.5",
    "",
    "large",
  ])("stores no window for %j", (value) => {
    const capture = captureFromResponse(
      { status: 200, headers: { [CAPTURED_HEADERS.routedContextWindow]: value } },
      context,
    );
    expect(capture).not.toHaveProperty("routedContextWindow");
  });
});
