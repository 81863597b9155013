import {
  cacheProfileFor,
  EMULATOR_PROFILES,
  type EmulatorOptions,
  resolveOptions,
} from "@cloudsigma/taas-emulator";
import { describe, expect, it } from "vitest";
import { DEFAULT_MEASURE, measureModel } from "./measure.ts";
import { emulatedEndpoint } from "./probe.test-support.ts";
import { keeps } from "./result.ts";

/** One model of each cache family the emulator tells apart, under each of its profiles. */
const CASES = EMULATOR_PROFILES.flatMap((profile) =>
  ["gpt-5.5", "claude-opus-4.8", "deepseek-v4"].map((model) => ({ profile, model })),
);

describe("the probe against the emulator's profiles", () => {
  it.each(CASES)("recovers $profile / $model", async ({ profile, model }) => {
    const options: EmulatorOptions = { profile, cacheTtlMs: 90_000 };
    const { clock, send } = emulatedEndpoint(options);
    const truth = resolveOptions(options);
    const family = cacheProfileFor(model, truth);
    const result = await measureModel(
      model,
      { ...DEFAULT_MEASURE, lifetime: { boundMs: 240_000, steps: 6 } },
      { send, clock, progress: () => {}, agentId: "probe" },
    );
    expect(result.cached).toBe(true);
    expect(result.minTokens).toBe(family.minTokens);
    expect(result.stepTokens).toBe(truth.cacheStepTokens);
    expect(result.plateauTokens).toBe(family.plateauTokens === 0 ? null : family.plateauTokens);
    expect(result.reportsWrites).toBe(family.reportsWrites);
    expect(result.readyDelay.atMostMs).toBe(family.readyDelayMs);
    expect(result.identity && keeps(result.identity.withAgent)).toBe(true);
    expect(result.identity && keeps(result.identity.withoutAgent)).toBe(!truth.requireAgentId);
    expect(result.headers.includes("x-taas-upstream")).toBe(truth.upstreamHeader);
    const lifetime = result.lifetime;
    expect(lifetime?.goneMs).not.toBeNull();
    const step = 240_000 / 2 ** 6;
    expect(lifetime?.aliveMs).toBeLessThan(truth.cacheTtlMs);
    expect(lifetime?.goneMs).toBeGreaterThanOrEqual(truth.cacheTtlMs);
    expect((lifetime?.goneMs ?? 0) - (lifetime?.aliveMs ?? 0)).toBeLessThanOrEqual(step);
  });
});
