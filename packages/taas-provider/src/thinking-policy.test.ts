import { describe, expect, it } from "vitest";
import { PROVIDER_ALIAS, PROVIDER_ID } from "./identity.ts";
import { AUTO_MODEL_ID, staticModels } from "./seed-catalog.ts";
import { resolveThinkingProfile } from "./thinking-policy.ts";

describe("resolveThinkingProfile", () => {
  it.each([PROVIDER_ID, PROVIDER_ALIAS])(
    "starts %s/auto with thinking off, and offers the levels up to high",
    (provider) => {
      const profile = resolveThinkingProfile({ provider, modelId: AUTO_MODEL_ID, reasoning: true });
      expect(profile?.defaultLevel).toBe("off");
      expect(profile?.levels.map((level) => level.id)).toEqual([
        "off",
        "minimal",
        "low",
        "medium",
        "high",
      ]);
    },
  );

  it("leaves every other row, and other providers, to the host's defaults", () => {
    for (const model of staticModels().filter((row) => row.id !== AUTO_MODEL_ID)) {
      expect(
        resolveThinkingProfile({ provider: PROVIDER_ID, modelId: model.id }),
        model.id,
      ).toBeUndefined();
    }
    expect(resolveThinkingProfile({ provider: "openai", modelId: AUTO_MODEL_ID })).toBeUndefined();
  });
});
