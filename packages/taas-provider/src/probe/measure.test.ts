import {
  cacheProfileFor,
  EMULATOR_PROFILES,
  type EmulatorOptions,
  resolveOptions,
} from "@cloudsigma/taas-emulator";
import { describe, expect, it } from "vitest";
import type { ProbeClient } from "./client.ts";
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

describe("the probe against a tokenizer that splits its words", () => {
  it("still reads the minimum, step and plateau exactly when every word is two tokens", async () => {
    // An endpoint whose tokenizer makes each word two tokens after a 7-token frame, caching
    // from 2,048 tokens in 256-token steps up to a 5,120-token plateau: a read gets the longest
    // boundary it shares with what was sent before.
    const geometry = { frame: 7, min: 2048, step: 256, plateau: 5120 };
    const sent = new Map<string, number>();
    const send: ProbeClient = async ({ words, count, sessionId }) => {
      const n = count ?? words.length;
      const key = `${sessionId}:${words.slice(0, 8).join(" ")}`;
      const shared = geometry.frame + 2 * Math.min(n, sent.get(key) ?? 0);
      sent.set(key, Math.max(n, sent.get(key) ?? 0));
      const grid = (tokens: number) =>
        tokens < geometry.min
          ? 0
          : geometry.min + Math.floor((tokens - geometry.min) / geometry.step) * geometry.step;
      const cachedTokens = Math.min(grid(shared), grid(geometry.plateau));
      return {
        promptTokens: geometry.frame + 2 * n + 3,
        cachedTokens,
        writeTokens: undefined,
        outputTokens: 1,
        headers: [],
      };
    };
    let now = 0;
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
    const result = await measureModel("split-words", DEFAULT_MEASURE, {
      send,
      clock,
      progress: () => {},
      agentId: "probe",
    });
    expect(result).toMatchObject({
      minTokens: geometry.min,
      stepTokens: geometry.step,
      plateauTokens: geometry.plateau,
    });
  });
});
