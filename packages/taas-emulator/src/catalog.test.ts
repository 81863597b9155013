import { describe, expect, it } from "vitest";
import {
  DEFAULT_CATALOG,
  DEFAULT_MODEL_ID,
  DISCOVERY_ONLY_MODELS,
  findModel,
  SEED_MODELS,
} from "./catalog.ts";

describe("default catalog", () => {
  it("holds the seed rows with their context windows and output limits", () => {
    const expected: [string, number, number][] = [
      ["gpt-5.5", 400_000, 128_000],
      ["gpt-5.4", 1_050_000, 128_000],
      ["claude-fable-5", 1_000_000, 128_000],
      ["claude-opus-4.8", 200_000, 32_000],
      ["claude-sonnet-4.6", 1_000_000, 64_000],
      ["gemini-3.1-flash-lite", 1_000_000, 65_000],
      ["kimi-k2.6", 262_000, 262_000],
      ["qwen3-vl", 262_000, 8_000],
      ["pixtral-large", 128_000, 4_000],
      ["qwen2.5-vl-72b", 32_000, 8_000],
      ["llama-3.3-70b", 128_000, 8_000],
      ["qwen3-235b", 256_000, 8_000],
      ["glm-4.5-air", 128_000, 8_000],
    ];
    expect(SEED_MODELS.map((m) => [m.id, m.context_window, m.max_output_tokens])).toEqual(expected);
    expect(findModel(SEED_MODELS, DEFAULT_MODEL_ID)?.capabilities.chat_completions).toBe(true);
  });

  it("marks claude-fable-5 as reasoning and thinking, and the vision seeds as vision", () => {
    const fable = findModel(DEFAULT_CATALOG, "claude-fable-5");
    expect(fable?.capabilities).toMatchObject({ reasoning: true, thinking: true });
    for (const id of ["gemini-3.1-flash-lite", "qwen3-vl", "pixtral-large", "qwen2.5-vl-72b"]) {
      const row = findModel(DEFAULT_CATALOG, id);
      expect(row?.type).toBe("vision");
      expect(row?.capabilities.vision).toBe(true);
    }
  });

  it("adds discovery-only rows covering every awkward shape consumers must handle", () => {
    const seedIds = new Set(SEED_MODELS.map((m) => m.id));
    expect(DISCOVERY_ONLY_MODELS.every((m) => !seedIds.has(m.id))).toBe(true);
    const extra = DISCOVERY_ONLY_MODELS;
    expect(
      extra.filter((m) => m.type === "chat" && m.capabilities.chat_completions).length,
    ).toBeGreaterThanOrEqual(2);
    expect(extra.some((m) => m.type === "vision" && m.capabilities.vision)).toBe(true);
    expect(extra.some((m) => m.type === "vision" && !m.capabilities.vision)).toBe(true);
    const embedding = findModel(extra, "text-embedding-3-large");
    expect(embedding?.type).toBe("embedding");
    expect(embedding?.capabilities.chat_completions).toBe(false);
    expect(extra.some((m) => m.type === "rerank" && !m.capabilities.chat_completions)).toBe(true);
  });

  it("has unique ids and non-negative prices on every row", () => {
    const ids = DEFAULT_CATALOG.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const row of DEFAULT_CATALOG) {
      expect(row.pricing.input).toBeGreaterThanOrEqual(0);
      expect(row.pricing.output).toBeGreaterThanOrEqual(0);
      expect(row.object).toBe("model");
    }
  });
});
