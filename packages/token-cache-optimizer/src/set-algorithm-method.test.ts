import { describe, expect, it } from "vitest";
import { AutorouterPreferences } from "./autorouter-preferences.ts";
import {
  applySetAlgorithm,
  createSetAlgorithmHandler,
  parseSetAlgorithmParams,
} from "./set-algorithm-method.ts";

const SESSION = "oc:0123456789abcdef";
const SIX =
  '"best_fit", "price_performance", "savings_curve", "cost", "ttft", "tps", or null to clear';

describe("taas.autorouter.setAlgorithm params", () => {
  it.each([
    [
      { sessionId: SESSION, algorithm: "ttft" },
      { scope: "session", id: SESSION, algorithm: "ttft" },
    ],
    [
      { agentId: "main", algorithm: "best_fit" },
      { scope: "agent", id: "main", algorithm: "best_fit" },
    ],
    [
      { agentId: "main", algorithm: null },
      { scope: "agent", id: "main", algorithm: null },
    ],
    // A pinned id is whatever the caller pinned, header-safe.
    [
      { sessionId: "team-7", algorithm: "cost" },
      { scope: "session", id: "team-7", algorithm: "cost" },
    ],
  ])("accepts %j", (params, expected) => {
    expect(parseSetAlgorithmParams(params)).toEqual(expected);
  });

  it.each<[unknown, string]>([
    [
      undefined,
      `expects exactly one of {"agentId":"<agent id>"} or {"sessionId":"oc:<16 hex>"}, with "algorithm": ${SIX}; got no params`,
    ],
    [{ algorithm: "ttft" }, "; got none"],
    [{ agentId: "main", sessionId: SESSION, algorithm: "ttft" }, "; got agentId and sessionId"],
    [
      { agentId: "main", algorithm: "ttft", algo: "x", scope: "y" },
      "; unknown param(s): algo, scope",
    ],
    [{ workspaceDir: "/w", algorithm: "ttft" }, "; unknown param(s): workspaceDir"],
    [{ agentId: "main" }, `: "algorithm" is required: ${SIX}`],
    [
      { agentId: "main", algorithm: "fastest" },
      `: "algorithm" must be one of ${SIX}; got "fastest"`,
    ],
    [{ agentId: "main", algorithm: "TTFT" }, `: "algorithm" must be one of ${SIX}; got "TTFT"`],
    [{ agentId: "main", algorithm: 3 }, `: "algorithm" must be one of ${SIX}; got 3`],
    [
      { agentId: "main", algorithm: "x".repeat(500) },
      `: "algorithm" must be one of ${SIX}; got "${"x".repeat(99)}...`,
    ],
    [{ agentId: "", algorithm: "ttft" }, ': "agentId" must be a non-empty string'],
    [
      { agentId: "a b", algorithm: "ttft" },
      ': "agentId" must be 1-128 characters of letters, digits, . _ : -',
    ],
    [
      { agentId: "a".repeat(129), algorithm: "ttft" },
      ': "agentId" is too long (129 characters; at most 128)',
    ],
    [
      { sessionId: `oc:${"0".repeat(5000)}`, algorithm: "ttft" },
      ': "sessionId" is too long (5003 characters; at most 128)',
    ],
    [{ sessionId: "sesi\u00f3n", algorithm: "ttft" }, ': "sessionId" must look like oc:<16 hex>'],
  ])("refuses %j by name", (params, message) => {
    const parsed = parseSetAlgorithmParams(params);
    const error = "error" in parsed ? parsed.error : "";
    expect(error.startsWith("taas.autorouter.setAlgorithm")).toBe(true);
    expect(error).toContain(message);
  });
});

describe("taas.autorouter.setAlgorithm answers", () => {
  it("sets, replaces and clears one id's preference, saying what held before", () => {
    const preferences = new AutorouterPreferences();
    expect(
      applySetAlgorithm({ scope: "session", id: SESSION, algorithm: "ttft" }, preferences),
    ).toEqual({
      query: { sessionId: SESSION },
      algorithm: "ttft",
      previous: null,
      message: `Session ${SESSION} asks TaaS for the "ttft" autorouter algorithm on its next calls to the auto model.`,
    });
    expect(
      applySetAlgorithm({ scope: "session", id: SESSION, algorithm: "tps" }, preferences).previous,
    ).toBe("ttft");
    expect(applySetAlgorithm({ scope: "agent", id: "main", algorithm: null }, preferences)).toEqual(
      {
        query: { agentId: "main" },
        algorithm: null,
        previous: null,
        message:
          'Agent "main" has no autorouter algorithm of its own now; the config default applies.',
      },
    );
    expect(preferences.choose(SESSION, "main", undefined)).toEqual({
      algorithm: "tps",
      from: "session",
    });
  });

  it("the handler applies a valid call and refuses a bad one with INVALID_REQUEST, changing nothing", () => {
    const preferences = new AutorouterPreferences();
    const handler = createSetAlgorithmHandler(preferences);
    const answers: unknown[][] = [];
    const invoke = (params: Record<string, unknown>) =>
      handler({
        params,
        respond: (...args: unknown[]) => void answers.push(args),
      } as unknown as Parameters<typeof handler>[0]);
    invoke({ agentId: "main", algorithm: "cost" });
    invoke({ agentId: "main", algorithm: "slowest" });
    expect(answers[0]?.[0]).toBe(true);
    expect(answers[1]?.slice(0, 1)).toEqual([false]);
    expect(answers[1]?.[2]).toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining(SIX),
    });
    expect(preferences.choose(SESSION, "main", undefined)).toEqual({
      algorithm: "cost",
      from: "agent",
    });
  });
});
