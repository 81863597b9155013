import { describe, expect, it } from "vitest";
import { buildAffinityHeaders } from "./headers.ts";

describe("buildAffinityHeaders", () => {
  it("sends the six headers", () => {
    expect(
      buildAffinityHeaders({
        affinityId: "oc:0123456789abcdef",
        turnId: "run-1",
        attempt: 2,
        agentId: "main",
        pluginVersion: "0.6.0",
      }),
    ).toEqual({
      "X-Session-Id": "oc:0123456789abcdef",
      "X-OpenClaw-Session-Id": "oc:0123456789abcdef",
      "X-OpenClaw-Turn-Id": "run-1",
      "X-OpenClaw-Attempt": "2",
      "X-OpenClaw-Agent-Id": "main",
      "X-OpenClaw-Plugin-Version": "0.6.0",
    });
  });

  it.each([
    ["CR/LF injection", "agent\r\nX-Evil: 1", "agentX-Evil: 1"],
    ["non-ASCII", "agent-\u00fcber-\u{1F916}", "agent-ber-"],
    ["oversized", "a".repeat(1000), "a".repeat(128)],
  ])("sanitises %s", (_label, agentId, expected) => {
    const headers = buildAffinityHeaders({
      affinityId: "oc:1",
      attempt: 1,
      agentId,
      turnId: agentId,
      pluginVersion: agentId,
    });
    expect(headers["X-OpenClaw-Agent-Id"]).toBe(expected);
    expect(headers["X-OpenClaw-Turn-Id"]).toBe(expected);
    expect(headers["X-OpenClaw-Plugin-Version"]).toBe(expected);
    for (const value of Object.values(headers)) expect(value).toMatch(/^[\x20-\x7e]{1,128}$/);
  });

  it("drops a header whose value sanitises to nothing, and never sends attempt 0", () => {
    const headers = buildAffinityHeaders({
      affinityId: "oc:1",
      attempt: 0,
      agentId: "\u00e9\u00e9",
      pluginVersion: " \u00e9 ",
    });
    expect(headers).not.toHaveProperty("X-OpenClaw-Agent-Id");
    expect(headers).not.toHaveProperty("X-OpenClaw-Plugin-Version");
    expect(headers["X-OpenClaw-Attempt"]).toBe("1");
  });
});
