import { describe, expect, it } from "vitest";
import {
  AUTOROUTER_ALGORITHM_SOURCE,
  autoroute,
  LONG_CONTEXT_THRESHOLD,
  wantsReasoning,
} from "./autorouter.ts";
import { DEFAULT_CATALOG, findModel } from "./catalog.ts";
import { createEmulatorHandler } from "./emulator.ts";
import { postChat } from "./test-support.ts";

const handler = createEmulatorHandler();
const tools = [{ type: "function", function: { name: "read", parameters: { type: "object" } } }];
const text = [{ role: "user", content: "route me" }];
const image = [
  {
    role: "user",
    content: [
      { type: "text", text: "what is this?" },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
    ],
  },
];

async function autorouted(body: Record<string, unknown>) {
  const { response, json } = await postChat(handler, { model: "auto", ...body });
  expect(response.status).toBe(200);
  return { headers: response.headers, json };
}

function expectRouted(
  headers: Headers,
  json: Record<string, unknown>,
  model: string,
  mode: string,
) {
  expect(headers.get("x-taas-autorouted")).toBe("true");
  expect(headers.get("x-taas-autorouter-model")).toBe(model);
  expect(headers.get("x-taas-autorouter-mode")).toBe(mode);
  expect(headers.get("x-taas-autorouter-algorithm-source")).toBe(AUTOROUTER_ALGORITHM_SOURCE);
  expect(headers.get("x-taas-routed-context-window")).toBe(
    String(findModel(DEFAULT_CATALOG, model)?.context_window),
  );
  expect(json.model).toBe(model);
}

describe("autorouter rules", () => {
  it("prefers vision over every other rule when an image is present", () => {
    const decision = autoroute({
      body: { reasoning_effort: "high" },
      messages: image,
      tools,
      promptTokens: LONG_CONTEXT_THRESHOLD + 1,
    });
    expect(decision.mode).toBe("vision");
  });

  it("switches to long-context strictly above the threshold", () => {
    const at = autoroute({
      body: {},
      messages: text,
      tools: [],
      promptTokens: LONG_CONTEXT_THRESHOLD,
    });
    const above = autoroute({
      body: {},
      messages: text,
      tools: [],
      promptTokens: LONG_CONTEXT_THRESHOLD + 1,
    });
    expect(at.mode).toBe("fast");
    expect(above).toEqual({ model: "gpt-5.4", mode: "long-context", thinkingApplied: false });
  });

  it("reads reasoning_effort and thinking, honouring explicit offs", () => {
    expect(wantsReasoning({ reasoning_effort: "low" })).toBe(true);
    expect(wantsReasoning({ reasoning_effort: "none" })).toBe(false);
    expect(wantsReasoning({ thinking: { type: "enabled", budget_tokens: 1024 } })).toBe(true);
    expect(wantsReasoning({ thinking: true })).toBe(true);
    expect(wantsReasoning({ thinking: { type: "disabled" } })).toBe(false);
    expect(wantsReasoning({})).toBe(false);
  });
});

describe("autorouted chat completions", () => {
  it("routes image requests to the vision model", async () => {
    const { headers, json } = await autorouted({ messages: image });
    expectRouted(headers, json, "gemini-3.1-flash-lite", "vision");
    expect(headers.get("x-taas-thinking-applied")).toBe("false");
  });

  it("routes prompts above the long-context threshold to gpt-5.4", async () => {
    const huge = "a ".repeat(LONG_CONTEXT_THRESHOLD + 10);
    const { headers, json } = await autorouted({ messages: [{ role: "user", content: huge }] });
    expectRouted(headers, json, "gpt-5.4", "long-context");
    expect((json.usage as { prompt_tokens: number }).prompt_tokens).toBeGreaterThan(
      LONG_CONTEXT_THRESHOLD,
    );
  });

  it("routes reasoning requests to claude-fable-5 with thinking applied", async () => {
    for (const extra of [{ reasoning_effort: "medium" }, { thinking: { type: "enabled" } }]) {
      const { headers, json } = await autorouted({ messages: text, tools, ...extra });
      expectRouted(headers, json, "claude-fable-5", "reasoning");
      expect(headers.get("x-taas-thinking-applied")).toBe("true");
    }
  });

  it("routes tool-using requests to gpt-5.5", async () => {
    const { headers, json } = await autorouted({ messages: text, tools });
    expectRouted(headers, json, "gpt-5.5", "agentic");
    expect(headers.get("x-taas-thinking-applied")).toBe("false");
  });

  it("routes everything else to the fast model", async () => {
    const { headers, json } = await autorouted({ messages: text });
    expectRouted(headers, json, "gemini-3.1-flash-lite", "fast");
  });

  it("falls back to a catalog row when a custom catalog lacks the rule's pick", async () => {
    const models = DEFAULT_CATALOG.filter((m) => m.id === "llama-3.3-70b");
    const custom = createEmulatorHandler({ models });
    const { response, json } = await postChat(custom, { model: "auto", messages: text });
    expect(response.headers.get("x-taas-autorouter-model")).toBe("llama-3.3-70b");
    expect(json.model).toBe("llama-3.3-70b");
  });

  it("sends no autorouter headers for a concrete model", async () => {
    const { response, json } = await postChat(handler, {
      model: "claude-fable-5",
      messages: text,
      tools,
    });
    const names = [...response.headers.keys()];
    expect(names.filter((name) => name.startsWith("x-taas-autorout"))).toEqual([]);
    expect(response.headers.get("x-taas-thinking-applied")).toBeNull();
    expect(response.headers.get("x-taas-routed-context-window")).toBeNull();
    expect(json.model).toBe("claude-fable-5");
  });
});
