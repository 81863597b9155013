import { describe, expect, it } from "vitest";
import { createEmulatorHandler } from "./emulator.ts";
import { echoReply } from "./replies.ts";
import { chatRequest, firstChoice, parseSse, postChat, userMessage } from "./test-support.ts";

const tools = [
  { type: "function", function: { name: "read_file", parameters: { type: "object" } } },
  { type: "function", function: { name: "search", parameters: { type: "object" } } },
];
const args = { path: "notes/todo.md" };
const trigger = userMessage(`Open it. [[tool:read_file ${JSON.stringify(args)}]]`);
const toolResult = `# TODO\n${"- write more tests\n".repeat(20)}`;

async function ask(messages: unknown[], offered: unknown[] = tools) {
  const { json } = await postChat(createEmulatorHandler(), {
    model: "gpt-5.5",
    messages,
    tools: offered,
  });
  return firstChoice(json);
}

async function callThenResult(): Promise<unknown[]> {
  const choice = await ask([trigger]);
  const call = choice.message.tool_calls?.[0];
  if (call === undefined) throw new Error("expected a tool call");
  return [
    trigger,
    { role: "assistant", content: null, tool_calls: choice.message.tool_calls },
    { role: "tool", tool_call_id: call.id, content: toolResult },
  ];
}

describe("tool-call trigger", () => {
  it("answers tool_calls for an offered tool", async () => {
    const choice = await ask([{ role: "system", content: "sys" }, trigger]);
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    const calls = choice.message.tool_calls ?? [];
    expect(calls).toHaveLength(1);
    expect(calls[0]?.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(calls[0]?.type).toBe("function");
    expect(calls[0]?.function.name).toBe("read_file");
    expect(JSON.parse(calls[0]?.function.arguments ?? "")).toEqual(args);
    const again = await ask([trigger]);
    expect(again.message.tool_calls?.[0]?.id).toBe(calls[0]?.id);
  });

  it("answers parallel calls for several triggers", async () => {
    const choice = await ask([userMessage('[[tool:read_file]] [[tool:search {"q":"x"}]]')]);
    expect(choice.message.tool_calls?.map((c) => c.function.name)).toEqual(["read_file", "search"]);
    const ids = choice.message.tool_calls?.map((c) => c.id) ?? [];
    expect(new Set(ids).size).toBe(2);
  });

  it("says so in text when the named tool is not offered", async () => {
    const other = [{ type: "function", function: { name: "search" } }];
    const choice = await ask([trigger], other);
    expect(choice.finish_reason).toBe("stop");
    expect(choice.message.content).toContain("read_file is not offered");
    expect((await ask([trigger], [])).message.content).toContain("not offered");
  });

  it("answers the tool result with text quoting its start", async () => {
    const choice = await ask(await callThenResult());
    expect(choice.finish_reason).toBe("stop");
    expect(choice.message.tool_calls).toBeUndefined();
    expect(choice.message.content).toBe(`Tool read_file returned: ${toolResult.slice(0, 120)}`);
  });

  it("still answers with text when a runtime-context user message follows the tool result", async () => {
    const history = [...(await callThenResult()), userMessage("[runtime context] cwd=/tmp")];
    const choice = await ask(history);
    expect(choice.finish_reason).toBe("stop");
    expect(choice.message.content).toContain("Tool read_file returned:");
  });

  it("never calls twice for the same trigger message", async () => {
    const answered = [...(await callThenResult()), { role: "assistant", content: "Done." }];
    const followUp = await ask([...answered, userMessage("thanks")]);
    expect(followUp.message.tool_calls).toBeUndefined();
    expect(followUp.message.content).toBe(echoReply("gpt-5.5", "thanks"));
    const unanswered = [
      trigger,
      { role: "assistant", content: null, tool_calls: [] },
      userMessage("hm"),
    ];
    expect((await ask(unanswered)).message.tool_calls).toBeUndefined();
  });

  it("streams tool calls as id/name first, then argument pieces", async () => {
    const handler = createEmulatorHandler();
    const response = await handler(
      chatRequest({ model: "gpt-5.5", messages: [trigger], tools, stream: true }),
    );
    const events = parseSse(await response.text());
    expect(events.at(-1)).toBe("[DONE]");
    type Delta = {
      tool_calls?: {
        index: number;
        id?: string;
        type?: string;
        function: { name?: string; arguments: string };
      }[];
    };
    const chunks = events.slice(0, -1) as {
      choices: { delta: Delta; finish_reason: string | null }[];
    }[];
    const deltas = chunks.flatMap((c) =>
      c.choices.flatMap((choice) => choice.delta.tool_calls ?? []),
    );
    const head = deltas[0];
    expect(head?.index).toBe(0);
    expect(head?.id).toMatch(/^call_/);
    expect(head?.type).toBe("function");
    expect(head?.function.name).toBe("read_file");
    expect(deltas.slice(1).every((d) => d.id === undefined && d.index === 0)).toBe(true);
    expect(JSON.parse(deltas.map((d) => d.function.arguments).join(""))).toEqual(args);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });
});
