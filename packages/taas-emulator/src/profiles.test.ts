import { describe, expect, it } from "vitest";
import { AUTOROUTER_ALGORITHM_SOURCE, AUTOROUTER_ALGORITHMS } from "./autorouter.ts";
import { parseCliArgs } from "./cli-args.ts";
import { createEmulator } from "./emulator.ts";
import { resolveOptions } from "./options.ts";
import {
  DOCUMENTED_PLATEAU_TOKENS,
  DOCUMENTED_REQUESTS_PER_MINUTE,
  PROFILE_DEFAULTS,
  type RuleOptions,
} from "./profiles.ts";
import { chatRequest, userMessage } from "./test-support.ts";
import type { EmulatorOptions } from "./types.ts";

function rulesOf(options: EmulatorOptions): RuleOptions {
  const resolved = resolveOptions(options);
  const rules = { ...PROFILE_DEFAULTS.legacy };
  for (const name of Object.keys(rules) as (keyof RuleOptions)[]) {
    Object.assign(rules, { [name]: resolved[name] });
  }
  return rules;
}

describe("profiles", () => {
  it("defaults to documented, the service as its sources describe it", () => {
    expect(rulesOf({})).toEqual(PROFILE_DEFAULTS.documented);
    expect(resolveOptions({}).profile).toBe("documented");
  });

  it("keeps legacy reachable: any id, random keyless, rendezvous without capacity, shared caches", () => {
    expect(rulesOf({ profile: "legacy" })).toEqual(PROFILE_DEFAULTS.legacy);
    expect(PROFILE_DEFAULTS.legacy).toMatchObject({
      requireAgentId: false,
      keylessRouting: "random",
      affinityBinding: "hash",
      slotMaxConcurrent: 0,
      slotRequestsPerMinute: 0,
      cacheProfiles: false,
      cachePerModel: false,
      upstreamHeader: true,
    });
  });

  it("documented turns on every documented rule, with the documented numbers", () => {
    expect(rulesOf({ profile: "documented" })).toEqual(PROFILE_DEFAULTS.documented);
    expect(PROFILE_DEFAULTS.documented).toMatchObject({
      requireAgentId: true,
      keyOrder: "documented",
      keylessRouting: "continuity",
      affinityBinding: "stored",
      slotRequestsPerMinute: DOCUMENTED_REQUESTS_PER_MINUTE,
      cacheProfiles: true,
      cachePlateauTokens: DOCUMENTED_PLATEAU_TOKENS,
      cachePerModel: true,
      upstreamHeader: false,
      autorouterAlgorithms: true,
    });
  });

  it("lets an explicit option win over the profile's default", () => {
    const rules = rulesOf({
      profile: "documented",
      upstreamHeader: true,
      slotRequestsPerMinute: 0,
    });
    expect(rules).toEqual({
      ...PROFILE_DEFAULTS.documented,
      upstreamHeader: true,
      slotRequestsPerMinute: 0,
    });
  });

  it("rejects values outside each rule's range", () => {
    expect(() => resolveOptions({ profile: "faithful" as "documented" })).toThrow(RangeError);
    expect(() => resolveOptions({ slotOverflow: "drop" as "spill" })).toThrow(RangeError);
    expect(() => resolveOptions({ slotRequestsPerMinute: -1 })).toThrow(RangeError);
    expect(() => resolveOptions({ cachePlateauTokens: 100 })).toThrow(/minCacheTokens/);
  });

  it("maps the CLI's rule flags, --no- switches included", () => {
    const command = parseCliArgs([
      "--profile",
      "documented",
      "--no-upstream-header",
      "--cache-per-model",
      "--slot-rpm",
      "3",
      "--slot-max-concurrent",
      "2",
      "--slot-overflow",
      "wait",
      "--key-order",
      "emulator",
      "--affinity-binding",
      "hash",
      "--keyless-routing",
      "continuity",
      "--cache-plateau-tokens",
      "2048",
      "--cache-ready-delay-ms",
      "1500",
    ]);
    expect(command).toMatchObject({
      kind: "start",
      options: {
        profile: "documented",
        upstreamHeader: false,
        cachePerModel: true,
        slotRequestsPerMinute: 3,
        slotMaxConcurrent: 2,
        slotOverflow: "wait",
        keyOrder: "emulator",
        affinityBinding: "hash",
        keylessRouting: "continuity",
        cachePlateauTokens: 2048,
        cacheReadyDelayMs: 1500,
      },
    });
    expect(() => parseCliArgs(["--cache-profiles", "--no-cache-profiles"])).toThrow(/contradict/);
  });
});

describe("response headers", () => {
  const auto = (algorithm?: string) =>
    chatRequest(
      { model: "auto", messages: [userMessage("hi")] },
      algorithm === undefined ? {} : { "X-TaaS-Autorouter-Algorithm": algorithm },
    );

  it("sends X-TaaS-Upstream only when asked to (real TaaS documents none)", async () => {
    const hidden = await createEmulator().handle(auto());
    expect(hidden.headers.get("x-taas-upstream")).toBeNull();
    const shown = await createEmulator({ upstreamHeader: true }).handle(auto());
    expect(shown.headers.get("x-taas-upstream")).toMatch(/^replica-\d+$/);
  });

  it.each(AUTOROUTER_ALGORITHMS)("echoes the requested autorouter algorithm %s", async (name) => {
    const emulator = createEmulator({ autorouterAlgorithms: true });
    const response = await emulator.handle(auto(name));
    expect(response.headers.get("x-taas-autorouter-algorithm-source")).toBe(name);
    expect(emulator.requests().at(-1)?.autorouterAlgorithm).toBe(name);
  });

  it("keeps its own algorithm for an unknown name, or when the rule is off", async () => {
    const on = await createEmulator({ autorouterAlgorithms: true }).handle(auto("fastest"));
    expect(on.headers.get("x-taas-autorouter-algorithm-source")).toBe(AUTOROUTER_ALGORITHM_SOURCE);
    const off = await createEmulator({ autorouterAlgorithms: false }).handle(auto("cost"));
    expect(off.headers.get("x-taas-autorouter-algorithm-source")).toBe(AUTOROUTER_ALGORITHM_SOURCE);
  });
});

describe("the documented profile (the default) end to end", () => {
  it("honours an id with an agent id, binds it, and sends no upstream header", async () => {
    const emulator = createEmulator();
    const headers = { "x-session-id": "conv", "x-openclaw-agent-id": "main" };
    const request = () => chatRequest({ model: "gpt-5.5", messages: [userMessage("hi")] }, headers);
    const first = await emulator.handle(request());
    await emulator.handle(request());
    expect(first.headers.get("x-taas-upstream")).toBeNull();
    const [a, b] = emulator.requests();
    expect([a?.matchReason, b?.matchReason]).toEqual(["external_id_new", "external_id"]);
    expect(b?.replica).toBe(a?.replica);
    await emulator.handle(chatRequest({ model: "gpt-5.5", messages: [userMessage("hi")] }));
    expect(emulator.requests().at(-1)).toMatchObject({
      routingSource: "continuity",
      fallbackReason: "missing_agent_and_session",
    });
  });
});
