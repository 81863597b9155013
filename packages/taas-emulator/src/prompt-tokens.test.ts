import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";
import { countTextTokens, PromptTokenizer } from "./prompt-tokens.ts";
import { filler } from "./test-support.ts";

const tool = { type: "function", function: { name: "read", parameters: { type: "object" } } };

describe("canonicalJson", () => {
  it("sorts object keys recursively and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"x":0,"y":1}]},"b":1}',
    );
  });
});

describe("PromptTokenizer", () => {
  it("counts o200k tokens of tools then messages as newline-delimited canonical JSON", () => {
    const messages = [{ role: "user", content: "hello there" }];
    const tokens = new PromptTokenizer().tokenize([tool], messages);
    const expected = [tool, ...messages].flatMap((item) => encode(`${canonicalJson(item)}\n`));
    expect(Array.from(tokens)).toEqual(expected);
  });

  it("does not depend on key order", () => {
    const tokenizer = new PromptTokenizer();
    const a = tokenizer.tokenize([], [{ role: "user", content: "x" }]);
    const b = tokenizer.tokenize([], [{ content: "x", role: "user" }]);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it("keeps the token prefix when messages are appended", () => {
    const tokenizer = new PromptTokenizer();
    const first = [{ role: "user", content: filler(300) }];
    const grown = [
      ...first,
      { role: "assistant", content: "ok" },
      { role: "user", content: "more" },
    ];
    const a = tokenizer.tokenize([tool], first);
    const b = tokenizer.tokenize([tool], grown);
    expect(Array.from(b.subarray(0, a.length))).toEqual(Array.from(a));
    expect(b.length).toBeGreaterThan(a.length);
  });

  it("treats special-token text as plain text", () => {
    expect(countTextTokens("<|endoftext|>")).toBeGreaterThan(1);
    expect(countTextTokens("")).toBe(0);
  });

  it("tokenises a ~60 KB conversation quickly, and faster once its messages are cached", () => {
    const tokenizer = new PromptTokenizer();
    const messages = Array.from({ length: 60 }, (_, i) => ({
      role: i % 2 === 0 ? "user" : "assistant",
      content: `${filler(180, `m${i}`)} ${"lorem ipsum dolor sit amet ".repeat(4)}`,
    }));
    expect(JSON.stringify(messages).length).toBeGreaterThan(55_000);
    let started = performance.now();
    const cold = tokenizer.tokenize([tool], messages);
    const coldMs = performance.now() - started;
    started = performance.now();
    const warm = tokenizer.tokenize([tool], [...messages, { role: "user", content: "next" }]);
    const warmMs = performance.now() - started;
    expect(warm.length).toBeGreaterThan(cold.length);
    expect(coldMs).toBeLessThan(250);
    expect(warmMs).toBeLessThan(coldMs);
  });
});

describe("PromptTokenizer segment ids", () => {
  it("names each tool and message by its content, whatever its key order or cache state", () => {
    const tokenizer = new PromptTokenizer(1);
    const messages = [
      { role: "system", content: "s" },
      { role: "user", content: "u" },
    ];
    const first = tokenizer.tokenizePrompt([tool], messages);
    expect(first.segmentIds).toHaveLength(1 + messages.length);
    expect(new Set(first.segmentIds).size).toBe(first.segmentIds.length);
    const reordered = messages.map((m) => ({ content: m.content, role: m.role }));
    const again = tokenizer.tokenizePrompt([tool], reordered);
    expect(again.segmentIds).toEqual(first.segmentIds);
    const edited = tokenizer.tokenizePrompt([tool], [messages[0], { role: "user", content: "v" }]);
    expect(edited.segmentIds.slice(0, 2)).toEqual(first.segmentIds.slice(0, 2));
    expect(edited.segmentIds[2]).not.toBe(first.segmentIds[2]);
  });
});
