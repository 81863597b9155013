import { createEmulatorHandler, DEFAULT_API_KEY } from "@cloudsigma/taas-emulator";
import { describe, expect, it } from "vitest";
import type { ModelDefinition } from "./model-types.ts";
import { AUTO_MODEL_ID, AUTOROUTER_TARGETS, staticModels } from "./seed-catalog.ts";

// The autorouter row is only as good as its list of targets: ask the emulator (whose rules mirror
// TaaS's) where each kind of request goes, and derive the row's limits from those routes.

const handler = createEmulatorHandler();
const text = (content: string) => [{ role: "user", content }];
const SCENARIOS: Record<keyof typeof AUTOROUTER_TARGETS, Record<string, unknown>> = {
  vision: {
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "what is in this picture?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        ],
      },
    ],
    reasoning_effort: "high",
  },
  longContext: { messages: text("a ".repeat(200_100)), reasoning_effort: "high" },
  reasoning: { messages: text("think hard"), reasoning_effort: "high", tools: [readTool()] },
  agentic: { messages: text("use a tool"), tools: [readTool()], reasoning_effort: "none" },
  fast: { messages: text("hello"), reasoning_effort: "none" },
};

function readTool() {
  return { type: "function", function: { name: "read", parameters: { type: "object" } } };
}

async function routedModel(body: Record<string, unknown>): Promise<string | null> {
  const response = await handler(
    new Request("http://emulator/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${DEFAULT_API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: AUTO_MODEL_ID, ...body }),
    }),
  );
  expect(response.status).toBe(200);
  await response.body?.cancel();
  return response.headers.get("x-taas-autorouter-model");
}

function requireRow(id: string): ModelDefinition {
  const row = staticModels().find((model) => model.id === id);
  if (!row) throw new Error(`no catalog row ${id}`);
  return row;
}

describe("the autorouter row", () => {
  it.each(Object.keys(SCENARIOS) as Array<keyof typeof AUTOROUTER_TARGETS>)(
    "names the route the autorouter picks for a %s request",
    async (kind) => {
      expect(await routedModel(SCENARIOS[kind])).toBe(AUTOROUTER_TARGETS[kind]);
    },
  );

  it("has the limits of the routes it may pick: largest context, smallest output, reasoning", () => {
    const auto = requireRow(AUTO_MODEL_ID);
    const targets = Object.values(AUTOROUTER_TARGETS).map(requireRow);
    expect(auto.contextWindow).toBe(Math.max(...targets.map((row) => row.contextWindow ?? 0)));
    expect(auto.maxTokens).toBe(Math.min(...targets.map((row) => row.maxTokens)));
    expect(auto.reasoning).toBe(targets.some((row) => row.reasoning));
    expect(auto.compat).toMatchObject({ supportsReasoningEffort: true });
  });

  it("takes images because an image request goes to a route that takes them", () => {
    const auto = requireRow(AUTO_MODEL_ID);
    expect(requireRow(AUTOROUTER_TARGETS.vision).input).toContain("image");
    expect(auto.input).toEqual(["text", "image"]);
  });

  it("carries no price of its own: TaaS bills the route it picked", () => {
    expect(requireRow(AUTO_MODEL_ID).cost).toEqual({
      input: 0,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
    });
  });
});
