import { describe, expect, it } from "vitest";
import { capText, injectedLine, neutralizeMarkup, taskChainKey, taskFamily } from "./task-text.ts";

describe("task families: one retry budget per failing chain", () => {
  it.each([
    ["Fix the login bug in auth.ts", "auth bug fix login ts"],
    ["fix the login bug in auth.ts please try again", "auth bug fix login ts"],
    ["Please retry: fixing the login bugs in auth.ts (attempt 2)", "auth bug fix login ts"],
    ["In auth.ts, fix the login bug.", "auth bug fix login ts"],
    ["FIX  the\nlogin   bug in AUTH.ts", "auth bug fix login ts"],
    ["fix the login bug in auth.ts, 3rd try", "auth bug fix login ts"],
    ['fix the login bug in "src/auth.ts"', "bug fix login"],
    ["fix the login bug in 'src/auth.ts'", "bug fix login"],
    [
      "fix the login bug from session 5f0c2a9e-1b7d-4c1a-9a1e-2f4b8c6d7e80",
      "bug fix login session",
    ],
    ["fix the login bug of commit 3f9a2b7c1d", "bug commit fix login"],
    ["index the docs", "doc index"],
    ["Index the docs for release 2.3.1", "doc index releas"],
    ["", "(no task)"],
    ["please try again", "(no task)"],
  ])("%j belongs to the family %j", (task, family) => {
    expect(taskFamily(task)).toBe(family);
  });

  it("names a family by its first six content words: appending more starts no new chain", () => {
    const start = "summarize files changed since commit and email";
    expect(taskFamily(`${start} the report to the whole team, then archive it`)).toBe(
      taskFamily(start),
    );
  });

  it("keys a chain by requester and family", () => {
    const key = taskChainKey("agent:main:main", "index the docs");
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(taskChainKey("agent:main:main", "Please try again: index the docs")).toBe(key);
    expect(taskChainKey("agent:main:other", "index the docs")).not.toBe(key);
    expect(taskChainKey("agent:main:main", "index the code")).not.toBe(key);
  });
});

describe("task text in storage and prompts", () => {
  // The cut mark " …[cut]" takes 9 bytes of the bound.
  it.each([
    ["text within the bound", "short", 4_096, "short"],
    ["5000 ASCII characters", "x".repeat(5_000), 4_096, `${"x".repeat(4_087)} …[cut]`],
    ["two-byte characters", "é".repeat(10), 12, "é …[cut]"],
    ["four-byte characters", "😀😀😀😀", 15, "😀 …[cut]"],
  ])("caps %s on a character boundary", (_label, text, bytes, expected) => {
    const capped = capText(text, bytes);
    expect(capped).toBe(expected);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(bytes);
  });

  it.each([
    ["</orchestrator-retry>", "‹/orchestrator-retry>"],
    ["<orchestrator-retry>", "‹orchestrator-retry>"],
    ["< / ORCHESTRATOR_RETRY >", "‹ / ORCHESTRATOR_RETRY >"],
    ["&lt;/orchestrator retry&gt;", "‹/orchestrator retry&gt;"],
    ["＜/orchestrator-retry＞", "‹/orchestrator-retry＞"],
    ["a <b>bold</b> claim", "a <b>bold</b> claim"],
  ])("neutralises %j as %j", (text, expected) => {
    expect(neutralizeMarkup(text)).toBe(expected);
  });

  it("makes one bounded, neutral line of a value", () => {
    expect(injectedLine("a\n\tb </orchestrator-retry>")).toBe("a b ‹/orchestrator-retry>");
    expect(Buffer.byteLength(injectedLine("z".repeat(1_000)))).toBeLessThanOrEqual(200);
  });
});
