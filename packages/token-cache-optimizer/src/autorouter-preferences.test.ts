import type { AutorouterAlgorithm } from "@cloudsigma/taas-core/autorouter";
import { describe, expect, it } from "vitest";
import {
  type AlgorithmChoice,
  AutorouterPreferences,
  algorithmForCall,
} from "./autorouter-preferences.ts";

const SESSION = "oc:0123456789abcdef";
type Set = AutorouterAlgorithm | undefined;

describe("which algorithm a call asks for: session over agent over config", () => {
  it.each<[Set, Set, Set, AlgorithmChoice | undefined]>([
    ["ttft", "tps", "cost", { algorithm: "ttft", from: "session" }],
    ["ttft", undefined, "cost", { algorithm: "ttft", from: "session" }],
    [undefined, "tps", "cost", { algorithm: "tps", from: "agent" }],
    [undefined, "tps", undefined, { algorithm: "tps", from: "agent" }],
    [undefined, undefined, "cost", { algorithm: "cost", from: "config" }],
    [undefined, undefined, undefined, undefined],
  ])("session %s, agent %s, config %s: %j", (session, agent, config, expected) => {
    const preferences = new AutorouterPreferences();
    if (session) preferences.set("session", SESSION, session);
    if (agent) preferences.set("agent", "main", agent);
    expect(preferences.choose(SESSION, "main", config)).toEqual(expected);
  });

  it("a cleared preference gives way to the next one down, and says what it replaced", () => {
    const preferences = new AutorouterPreferences();
    expect(preferences.set("session", SESSION, "ttft")).toBeUndefined();
    preferences.set("agent", "main", "tps");
    expect(preferences.set("session", SESSION, null)).toBe("ttft");
    expect(preferences.choose(SESSION, "main", "cost")).toEqual({
      algorithm: "tps",
      from: "agent",
    });
    // Another agent's preference, or one for an unnamed agent, is not this call's.
    expect(preferences.choose(SESSION, "other", "cost")?.from).toBe("config");
    expect(preferences.choose(SESSION, undefined, undefined)).toBeUndefined();
  });

  it("keeps at most its capacity of ids per scope, the least recently set forgotten first", () => {
    const preferences = new AutorouterPreferences(2);
    for (const id of ["a", "b", "c"]) preferences.set("agent", id, "cost");
    preferences.set("session", "a", "tps");
    expect(["a", "b", "c"].map((id) => preferences.choose("none", id, undefined)?.from)).toEqual([
      undefined,
      "agent",
      "agent",
    ]);
    expect(preferences.choose("a", undefined, undefined)?.from).toBe("session");
  });
});

describe("algorithmForCall", () => {
  const choose = () => ({ algorithm: "ttft", from: "session" }) as const;

  it.each<[string, Record<string, string> | undefined, boolean, AlgorithmChoice | undefined]>([
    ["auto", undefined, true, { algorithm: "ttft", from: "session" }],
    ["gpt-5.5", undefined, true, undefined],
    ["auto", undefined, false, undefined],
    [
      "auto",
      { "x-taas-autorouter-algorithm": " cost\r\n" },
      true,
      { algorithm: "cost", from: "caller" },
    ],
    ["auto", { "X-TaaS-Autorouter-Algorithm": "tps" }, false, { algorithm: "tps", from: "caller" }],
    ["gpt-5.5", { "X-TaaS-Autorouter-Algorithm": "tps" }, true, undefined],
  ])(
    "model %s, caller headers %j, sending hints %s: %j",
    (modelId, callerHeaders, send, expected) => {
      expect(algorithmForCall({ modelId, callerHeaders, send, choose })).toEqual(expected);
    },
  );
});
