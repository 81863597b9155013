import { afterEach, describe, expect, it } from "vitest";
import {
  GATE_BASE,
  type GateFixture,
  inboundMessage as inbound,
  makeGate,
  OWNER,
  outboundMessage as outbound,
  PEER,
} from "./gate.test-support.ts";

const fixtures: GateFixture[] = [];
afterEach(() => {
  for (const fixture of fixtures.splice(0)) fixture.cleanup();
});
const setup = (config: Record<string, unknown> = {}) => {
  const fixture = makeGate({ ...GATE_BASE, ...config });
  fixtures.push(fixture);
  return fixture;
};

describe("inbound: what arms a protected conversation", () => {
  it.each([
    ["another channel", {}, { channelId: "telegram" }, "ignored", "other-channel"],
    ["the gate switched off", { enabled: false }, {}, "ignored", "disabled"],
    ["an unprotected peer", {}, { peer: "+15550109999" }, "recorded", "unprotected-peer"],
    ["a sender not allowed", {}, { senderIds: ["+15550109999"] }, "recorded", "sender-not-allowed"],
    ["no trigger", {}, { content: "turn the lights on" }, "recorded", "no-trigger"],
    ["a trigger later in the text", {}, { content: "hey friday: go" }, "recorded", "no-trigger"],
    ["a bare trigger", {}, { content: "friday:  " }, "recorded", "empty-body"],
    ["a trigger with only punctuation", {}, { content: "Friday: ?!" }, "recorded", "empty-body"],
    [
      "a bare trigger when no body is required",
      { requireBodyAfterTrigger: false },
      { content: "friday:" },
      "armed",
      undefined,
    ],
    ["a trigger in another case", {}, { content: "FRIDAY: status?" }, "armed", undefined],
    ["a body in another script", {}, { content: "friday: 灯を消して" }, "armed", undefined],
    [
      "an allowed id among several sender ids",
      {},
      { senderIds: ["", "someone", OWNER] },
      "armed",
      undefined,
    ],
  ])("%s", (_label, config, message, kind, reason) => {
    const { gate, rows } = setup(config);
    const outcome = gate.inbound(inbound(message));
    expect(outcome.kind).toBe(kind);
    if (reason) expect(outcome).toMatchObject({ reason });
    const arms = kind === "ignored" ? [] : rows("SELECT * FROM arms");
    expect(arms).toHaveLength(kind === "armed" ? 1 : 0);
  });

  it("records every message of the watched channel, ids only, and the request, thread and arm of a trigger", () => {
    const { gate, rows, clock } = setup();
    gate.inbound(inbound({ messageId: "chatter", content: "just chatting" }));
    gate.inbound(inbound({ messageId: "other", peer: "+15550109999" }));
    const armed = gate.inbound(
      inbound({ messageId: "req-1", content: " friday: dim the lights " }),
    );
    expect(armed).toMatchObject({ kind: "armed", peer: PEER, sender: OWNER, usesLeft: 2 });
    expect(
      rows(
        "SELECT message_id, peer, sender, triggered, request_id FROM seen_messages ORDER BY created_at, message_id",
      ),
    ).toEqual([
      { message_id: "chatter", peer: PEER, sender: OWNER, triggered: 0, request_id: null },
      { message_id: "other", peer: "+15550109999", sender: OWNER, triggered: 0, request_id: null },
      {
        message_id: "req-1",
        peer: PEER,
        sender: OWNER,
        triggered: 1,
        request_id: "whatsapp:req-1",
      },
    ]);
    const [request] = rows("SELECT * FROM requests");
    expect(request).toMatchObject({
      request_id: "whatsapp:req-1",
      sender: OWNER,
      peer: PEER,
      trigger_text: "friday: dim the lights",
      body: "dim the lights",
      status: "received",
      created_at: clock.value,
    });
    expect(rows("SELECT thread_id, topic FROM threads")).toEqual([
      { thread_id: request?.thread_id, topic: "general" },
    ]);
    expect(rows("SELECT arm_key, request_id, uses_left, expires_at FROM arms")).toEqual([
      {
        arm_key: `whatsapp:${PEER}`,
        request_id: "whatsapp:req-1",
        uses_left: 2,
        expires_at: clock.value + 60_000,
      },
    ]);
  });

  it("keeps one thread per channel thread id and reuses it", () => {
    const { gate, rows } = setup();
    gate.inbound(inbound({ threadId: 7 }));
    gate.inbound(inbound({ threadId: 7 }));
    gate.inbound(inbound({ threadId: "other" }));
    expect(rows("SELECT topic FROM threads ORDER BY topic")).toEqual([
      { topic: "thread:7" },
      { topic: "thread:other" },
    ]);
    expect(rows("SELECT count(DISTINCT thread_id) AS n FROM requests")).toEqual([{ n: 2 }]);
  });

  it("does not re-arm with a trigger the channel delivers again (same message id)", () => {
    const { gate, rows } = setup({ maxUsesPerArm: 1 });
    expect(gate.inbound(inbound({ messageId: "once" }))).toMatchObject({ kind: "armed" });
    expect(gate.outbound(outbound("the reply"))).toMatchObject({ cancel: false, reason: "arm" });
    expect(gate.inbound(inbound({ messageId: "once" }))).toMatchObject({
      kind: "recorded",
      reason: "already-seen",
    });
    expect(gate.outbound(outbound("a second reply"))).toMatchObject({ cancel: true });
    expect(rows("SELECT message_id, triggered, request_id FROM seen_messages")).toEqual([
      { message_id: "once", triggered: 1, request_id: "whatsapp:once" },
    ]);
    expect(rows("SELECT request_id, status FROM requests")).toEqual([
      { request_id: "whatsapp:once", status: "responded" },
    ]);
  });

  it.each([
    ["a session key in another case", ["Agent:Main:Gated"], "agent:main:gated"],
    ["a cron session", ["Cron:Nightly"], "cron:nightly"],
    ["a hook session", ["hook:Gmail"], "hook:gmail"],
    ["the global session", ["Global"], "global"],
    [
      "a number with invisible marks",
      ["\u200e+1 555 010 2000\u200f"],
      "15550102000@s.whatsapp.net",
    ],
    ["a number in Arabic-Indic digits", ["+١٥٥٥٠١٠٢٠٠٠"], "whatsapp:+15550102000"],
  ])("protects %s as the host reports it", (_label, protectedTo, peer) => {
    const { gate } = setup({ protectedTo });
    expect(gate.outbound(outbound("unarmed", peer))).toMatchObject({ cancel: true });
    expect(gate.inbound(inbound({ peer }))).toMatchObject({ kind: "armed" });
    expect(gate.outbound(outbound("armed", peer))).toMatchObject({ cancel: false, reason: "arm" });
  });

  it("keeps a cron session with a numeric job id apart from the phone number with those digits", () => {
    const { gate } = setup({ protectedTo: ["cron:15550102000"] });
    expect(gate.guards("whatsapp", "cron:15550102000")).toBe(true);
    expect(gate.guards("whatsapp", "+15550102000")).toBe(false);
  });
});
