import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_BASE_URL, DEFAULT_MODEL_ID, PROVIDER_API, PROVIDER_ID } from "./identity.ts";
import { isSeedModelId, staticModels } from "./seed-catalog.ts";
import { readSeedTable } from "./seed-table.test-support.ts";

const table = readSeedTable();
const manifest: unknown = JSON.parse(
  readFileSync(new URL("../openclaw.plugin.json", import.meta.url), "utf8"),
);

function requireRow<T extends { id: string }>(rows: readonly T[], id: string): T {
  const row = rows.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no row ${id}`);
  return row;
}

describe("static catalog against the seed table", () => {
  it("publishes exactly the seed routes, in the seed's order", () => {
    expect(staticModels().map((model) => model.id)).toEqual(table.map((row) => row.id));
  });

  it.each(table)("$id has the seed's limits, notes and capabilities", (seed) => {
    const model = requireRow(staticModels(), seed.id);
    expect(model.contextWindow).toBe(seed.contextWindow);
    expect(model.maxTokens).toBe(seed.maxOutput);
    expect(model.name).toContain(seed.notes);
    expect([...model.input].sort()).toEqual([...seed.capabilities].sort());
    expect(isSeedModelId(seed.id)).toBe(true);
  });

  it("advertises image input only on the rows the seed marks as image-capable", () => {
    const imageRows = staticModels().filter((model) => model.input.includes("image"));
    const seedImageRows = table.filter((row) => row.capabilities.includes("image"));
    expect(imageRows.map((model) => model.id)).toEqual(seedImageRows.map((row) => row.id));
  });

  it("states no price (all zeros: the host's mark for unpriced) and shares the TaaS wire compatibility", () => {
    for (const model of staticModels()) {
      expect(model.cost, model.id).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
      expect(model.compat).toMatchObject({
        supportsPromptCacheKey: true,
        supportsUsageInStreaming: true,
      });
    }
  });

  it("marks only the reasoning-capable routes as reasoning, and lets them take reasoning_effort", () => {
    const reasoning = staticModels().filter((model) => model.reasoning);
    expect(reasoning.map((model) => model.id)).toEqual(
      table.filter((row) => /reasoning/i.test(row.notes)).map((row) => row.id),
    );
    for (const model of staticModels()) {
      expect(model.compat?.supportsReasoningEffort, model.id).toBe(model.reasoning || undefined);
    }
  });

  it("has the default model on the seed's default route", () => {
    expect(requireRow(table, DEFAULT_MODEL_ID).notes).toBe("Default route");
  });

  it("is what the manifest declares for pre-runtime surfaces, which states no cost at all", () => {
    // In a manifest an explicit 0 would read as free, so the rows leave `cost` out.
    const withoutCost = staticModels().map(({ cost: _unpriced, ...row }) => row);
    expect(manifest).toMatchObject({
      modelCatalog: {
        providers: {
          [PROVIDER_ID]: {
            baseUrl: DEFAULT_BASE_URL,
            api: PROVIDER_API,
            defaultModel: DEFAULT_MODEL_ID,
            models: withoutCost,
          },
        },
      },
    });
    const declared = (
      manifest as { modelCatalog: { providers: Record<string, { models: object[] }> } }
    ).modelCatalog.providers[PROVIDER_ID]?.models;
    expect(declared?.filter((row) => "cost" in row)).toEqual([]);
  });

  it("hands out fresh rows, so a caller's edit cannot change the catalog", () => {
    const first = staticModels();
    first[0]?.input.push("image");
    expect(staticModels()[0]?.input).toEqual(table[0]?.capabilities);
  });
});
