import { describe, expect, it } from "vitest";
import { lastUserText } from "./messages.ts";

const context = {
  role: "user",
  content: [
    {
      type: "text",
      text: "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nActive exec sessions: none\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>",
    },
  ],
};

describe("lastUserText", () => {
  it("skips the runtime context OpenClaw appends after the prompt", () => {
    expect(
      lastUserText([
        { role: "user", content: "older" },
        { role: "assistant", content: "ok" },
        { role: "user", content: "what was typed" },
        context,
      ]),
    ).toBe("what was typed");
  });

  it("keeps a message that only mentions the marker, and falls back to context alone", () => {
    expect(
      lastUserText([{ role: "user", content: "quote <<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>" }]),
    ).toBe("quote <<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>");
    expect(lastUserText([context])).toContain("Active exec sessions");
    expect(lastUserText([{ role: "system", content: "x" }])).toBe("");
  });
});
