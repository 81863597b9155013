import { describe, expect, it } from "vitest";
import { PROBE_CAPS } from "./budget.ts";
import { defaultProbeModel } from "./command.ts";
import { parseProbeFlags } from "./flags.ts";
import { DEFAULT_MEASURE } from "./measure.ts";

describe("openclaw cloudsigma probe flags", () => {
  it("defaults to the default model, the default caps and no lifetime", () => {
    expect(parseProbeFlags({}, "gpt-5.5")).toEqual({
      models: ["gpt-5.5"],
      json: false,
      yes: false,
      measure: DEFAULT_MEASURE,
      caps: { maxRequests: PROBE_CAPS.requests.default, maxTokens: PROBE_CAPS.tokens.default },
      timeoutMs: 60_000,
    });
  });

  it("takes repeated models once each, caps up to their ceilings and a lifetime bound", () => {
    const parsed = parseProbeFlags(
      {
        model: ["gpt-5.5", "kimi-k2.6", "gpt-5.5"],
        maxRequests: String(PROBE_CAPS.requests.ceiling),
        maxTokens: String(PROBE_CAPS.tokens.ceiling),
        lifetime: "15m",
        rate: "0",
      },
      "gpt-5.5",
    );
    expect(parsed.models).toEqual(["gpt-5.5", "kimi-k2.6"]);
    expect(parsed.caps).toEqual({
      maxRequests: PROBE_CAPS.requests.ceiling,
      maxTokens: PROBE_CAPS.tokens.ceiling,
    });
    expect(parsed.measure).toMatchObject({ ratePerMinute: 0, lifetime: { boundMs: 900_000 } });
  });

  it.each([
    [
      { maxRequests: String(PROBE_CAPS.requests.ceiling + 1) },
      /^--max-requests must be a whole number from 1 to 600, got "601"$/,
    ],
    [{ maxTokens: "lots" }, /^--max-tokens must be a whole number/],
    [{ lifetime: "3h" }, /^--lifetime must be a duration from 1s to 2h/],
    [{ lifetime: "soon" }, /^--lifetime must be a duration/],
    [{ timeout: "0" }, /^--timeout must be a whole number from 1 to 600/],
    [{ model: ["gpt 5"] }, /^--model must be a model id/],
  ])("refuses %j by name", (flags, message) => {
    expect(() => parseProbeFlags(flags, "gpt-5.5")).toThrow(message);
  });

  it.each([
    [{}, "gpt-5.5"],
    [{ agents: { defaults: { model: { primary: "cloudsigma/kimi-k2.6" } } } }, "kimi-k2.6"],
    [{ agents: { defaults: { model: "cloudsigma-taas/claude-fable-5" } } }, "claude-fable-5"],
    [{ agents: { defaults: { model: { primary: "openai/gpt-5" } } } }, "gpt-5.5"],
  ])("probes the default agent's model when it is a cloudsigma one (%j)", (config, model) => {
    expect(defaultProbeModel(config)).toBe(model);
  });
});
