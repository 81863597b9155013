import { describe, expect, it } from "vitest";
import { ClosedGate, closedGuardOf, configFailureMessage } from "./closed-gate.ts";
import { parseGateSettings } from "./config.ts";

const failure = (raw: unknown) => {
  try {
    parseGateSettings(raw);
  } catch (error) {
    return configFailureMessage(error);
  }
  throw new Error("the config parsed");
};
const CLOSED =
  "; failing closed: every reply to a protected peer is cancelled until the config is fixed";

describe("the closed gate of a config the gate cannot use", () => {
  it.each([
    [
      "a protected peer",
      { protectedTo: ["Agent:Main:Gated"] },
      "whatsapp",
      "agent:main:gated",
      true,
    ],
    ["another peer", { protectedTo: ["agent:main:gated"] }, "whatsapp", "agent:main:free", false],
    ["another channel", { protectedTo: ["+15550102000"] }, "telegram", "+15550102000", false],
    ["the configured channel", { channel: "WebChat", protectedTo: ["x"] }, "webchat", "x", true],
    [
      "an unreadable channel: every channel",
      { channel: 7, protectedTo: ["x"] },
      "slack",
      "x",
      true,
    ],
    ["an unreadable peer list: every peer", { protectedTo: "x" }, "whatsapp", "anyone", true],
    ["a peer list with a non-string", { protectedTo: ["x", 1] }, "whatsapp", "anyone", true],
    ["a null peer list", { protectedTo: null }, "whatsapp", "anyone", true],
    ["no peer list: nobody is protected", {}, "whatsapp", "anyone", false],
    ["a gate switched off", { enabled: false, protectedTo: ["x"] }, "whatsapp", "x", false],
    ["a root that is not an object", "nonsense", "whatsapp", "anyone", false],
  ])("%s: cancelled %s", (_label, raw, channelId, to, cancelled) => {
    const gate = new ClosedGate(closedGuardOf(raw));
    const decision = gate.outbound({ channelId, to, content: "reply" });
    expect(decision.cancel).toBe(cancelled);
    if (cancelled) expect(decision).toMatchObject({ reason: "config-error" });
  });

  it("never arms", () => {
    const gate = new ClosedGate(closedGuardOf({ protectedTo: ["x"], allowedFrom: ["cli"] }));
    expect(gate.inbound()).toEqual({ kind: "ignored", reason: "config-error" });
    expect(gate.outbound({ channelId: "whatsapp", to: "x", content: "r" }).cancel).toBe(true);
  });

  it.each([
    [
      { triggerRegex: "(" },
      'plugins.entries.message-gate.config.triggerRegex is not a valid regular expression: Unterminated group (pattern "(")',
    ],
    [
      { protectedPeers: [] },
      expect.stringMatching(
        /^plugins\.entries\.message-gate\.config\.protectedPeers is not a known setting \(known: enabled, /,
      ),
    ],
    [
      { missedResponseTtlMs: 1.5 },
      "plugins.entries.message-gate.config.missedResponseTtlMs must be an integer, got number 1.5",
    ],
    ["nonsense", 'plugins.entries.message-gate.config must be an object, got "nonsense"'],
  ])("reports %j in one line naming the key", (raw, where) => {
    const line = failure(raw);
    expect(line.startsWith("[message-gate] config error: ")).toBe(true);
    expect(line.endsWith(CLOSED)).toBe(true);
    expect(line.slice("[message-gate] config error: ".length, -CLOSED.length)).toEqual(where);
  });
});
