import { describe, expect, it } from "vitest";
import { promptPrefix } from "./prompt-prefix.ts";

const tool = (name: string) => ({ type: "function", function: { name, parameters: {} } });
const system = { role: "system", content: "You are a careful agent." };
const user = (text: string) => ({ role: "user", content: text });

describe("promptPrefix", () => {
  it("digests tools first, then messages, and counts the leading system messages", () => {
    const body = {
      model: "m",
      tools: [tool("read"), tool("write")],
      messages: [system, { role: "developer", content: "x" }, user("hi"), system],
    };
    const prefix = promptPrefix(body);
    expect(prefix?.tools).toBe(2);
    expect(prefix?.system).toBe(2);
    expect(prefix?.segments).toHaveLength(6);
    expect(prefix?.segments[2]?.[1]).toBe(JSON.stringify(system).length);
    expect(prefix?.truncated).toBeUndefined();
  });

  it("gives equal digests to equal segments and a different one where the prompt changed", () => {
    const first = promptPrefix({ messages: [system, user("one")] });
    const appended = promptPrefix({ messages: [system, user("one"), user("two")] });
    const rewritten = promptPrefix({ messages: [system, user("ONE"), user("two")] });
    expect(appended?.segments.slice(0, 2)).toEqual(first?.segments);
    expect(rewritten?.segments[0]).toEqual(first?.segments[0]);
    expect(rewritten?.segments[1]?.[0]).not.toBe(first?.segments[1]?.[0]);
  });

  it("reads a Responses body: instructions count as the system prompt", () => {
    const prefix = promptPrefix({ instructions: "Be brief.", input: [user("hi")] });
    expect(prefix?.system).toBe(1);
    expect(prefix?.segments).toHaveLength(2);
  });

  it("keeps at most the given number of segments and says so", () => {
    const messages = Array.from({ length: 10 }, (_, i) => user(String(i)));
    const prefix = promptPrefix({ tools: [tool("a"), tool("b")], messages }, 4);
    expect(prefix?.segments).toHaveLength(4);
    expect(prefix?.tools).toBe(2);
    expect(prefix?.truncated).toBe(true);
  });

  it("returns nothing for a body without a prompt", () => {
    expect(promptPrefix({ model: "m" })).toBeUndefined();
    expect(promptPrefix("text")).toBeUndefined();
  });
});
