import { describe, expect, it } from "vitest";
import { promptBreakdown, promptDump } from "./prompt-breakdown.ts";

// Shaped like the host's llm_input event.
const event = {
  systemPrompt: "S".repeat(1000),
  prompt: "[Sat 2026-11-21 19:25 UTC] hello",
  historyMessages: [
    { role: "user", content: "first question" },
    {
      role: "assistant",
      content: [
        { type: "text", text: "secret answer ".repeat(20) },
        { type: "toolCall", id: "c1", name: "tool_search", arguments: { query: "time" } },
      ],
    },
    {
      role: "toolResult",
      content: [
        { type: "text", text: "R".repeat(500) },
        { type: "image", data: "AAAA".repeat(1000) },
      ],
    },
  ],
  tools: [
    {
      name: "read",
      description: "Read files",
      parameters: { type: "object", properties: { path: { type: "string" } } },
    },
    { name: "tool_search", description: "Search", parameters: { type: "object" } },
  ],
  imagesCount: 1,
};

describe("promptBreakdown", () => {
  it("splits the prompt into system, prompt, history and tool schema characters", () => {
    const toolCall = `tool_search${JSON.stringify({ query: "time" })}`;
    const history =
      "first question".length + "secret answer ".repeat(20).length + toolCall.length + 500;
    const tools = event.tools.reduce((sum, t) => sum + JSON.stringify(t).length, 0);
    expect(promptBreakdown(event)).toEqual({
      systemChars: 1000,
      promptChars: event.prompt.length,
      historyChars: history,
      historyMessages: 3,
      toolSchemaChars: tools,
      toolCount: 2,
      imagesCount: 1,
      totalChars: 1000 + event.prompt.length + history,
    });
  });

  it("measures only the model-facing part of a tool", () => {
    const tool = { name: "read", description: "Read", parameters: { type: "object" } };
    const withUiFields = {
      ...tool,
      label: "Read file",
      displaySummary: "x".repeat(500),
      outputSchema: { type: "object" },
    };
    expect(promptBreakdown({ tools: [withUiFields] }).toolSchemaChars).toBe(
      JSON.stringify(tool).length,
    );
  });

  it("treats missing or malformed fields as empty", () => {
    expect(
      promptBreakdown({ systemPrompt: 5, historyMessages: "x", tools: null, imagesCount: -2 }),
    ).toMatchObject({
      systemChars: 0,
      historyMessages: 0,
      toolCount: 0,
      imagesCount: 0,
      totalChars: 0,
    });
  });
});

describe("promptDump", () => {
  it("lists the largest messages and tools without any text by default", () => {
    const dump = promptDump(event, { maxItems: 2, previews: false, previewChars: 40 });
    expect(dump.largestMessages.map((m) => [m.index, m.role])).toEqual([
      [2, "toolResult"],
      [1, "assistant"],
    ]);
    expect(dump.largestTools.map((t) => t.name)).toEqual(["read", "tool_search"]);
    const text = JSON.stringify(dump);
    expect(text).not.toContain("secret");
    expect(text).not.toContain("hello");
    expect(dump).not.toHaveProperty("systemPreview");
  });

  it("adds short previews only when asked", () => {
    const dump = promptDump(event, { maxItems: 5, previews: true, previewChars: 20 });
    expect(dump.largestMessages.find((m) => m.role === "assistant")?.preview).toBe(
      `${"secret answer secret"}…`,
    );
    expect(dump.promptPreview).toBe("[Sat 2026-11-21 19:2…");
    expect(dump.largestMessages).toHaveLength(3);
    expect(dump.largestMessages.every((m) => (m.preview?.length ?? 0) <= 21)).toBe(true);
  });
});
