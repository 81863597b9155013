import { describe, expect, it } from "vitest";
import { warnIfConversationNotGranted } from "./conversation-grant.ts";

/** The warnings one registration logs for `config`. */
function warnings(config: unknown, registrationMode = "full"): string[] {
  const logged: string[] = [];
  const logger = { warn: (message: string) => logged.push(message) };
  warnIfConversationNotGranted({ registrationMode, config, logger }, "p", "x is missing");
  return logged;
}

describe("warnIfConversationNotGranted", () => {
  it.each([
    [{ plugins: { entries: { p: { hooks: { allowConversationAccess: true } } } } }, true],
    [{ plugins: { entries: { p: { hooks: { allowConversationAccess: "true" } } } } }, false],
    [{ plugins: { entries: { p: { hooks: {} } } } }, false],
    [{ plugins: { entries: { other: { hooks: { allowConversationAccess: true } } } } }, false],
    [{ plugins: null }, false],
    [undefined, false],
  ])("%j granted: %s", (config, granted) => {
    expect(warnings(config)).toHaveLength(granted ? 0 : 1);
  });

  it("tells the operator the exact key to set", () => {
    expect(warnings(undefined)).toEqual([
      "[p] conversation hooks are not granted, so x is missing. Grant them with plugins.entries.p.hooks.allowConversationAccess=true",
    ]);
  });

  it("stays quiet outside the full registration, so the line appears once", () => {
    expect(warnings(undefined, "setup-runtime")).toEqual([]);
  });
});
