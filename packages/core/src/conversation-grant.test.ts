import { describe, expect, it } from "vitest";
import { conversationAccessGranted, missingGrantMessage } from "./conversation-grant.ts";

describe("conversationAccessGranted", () => {
  it.each([
    [{ plugins: { entries: { p: { hooks: { allowConversationAccess: true } } } } }, true],
    [{ plugins: { entries: { p: { hooks: { allowConversationAccess: "true" } } } } }, false],
    [{ plugins: { entries: { p: { hooks: {} } } } }, false],
    [{ plugins: { entries: { other: { hooks: { allowConversationAccess: true } } } } }, false],
    [{ plugins: null }, false],
    [undefined, false],
  ])("%j -> %s", (config, expected) => {
    expect(conversationAccessGranted(config, "p")).toBe(expected);
  });

  it("tells the operator the exact key to set", () => {
    expect(missingGrantMessage("p", "x is missing")).toBe(
      "[p] conversation hooks are not granted, so x is missing. Grant them with plugins.entries.p.hooks.allowConversationAccess=true",
    );
  });
});
