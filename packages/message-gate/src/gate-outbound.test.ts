import { afterEach, describe, expect, it } from "vitest";
import {
  GATE_BASE,
  type GateFixture,
  inboundMessage as inbound,
  makeGate,
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

describe("outbound: a protected peer gets replies only while armed", () => {
  it("cancels an unarmed reply and records it", () => {
    const { gate, rows } = setup();
    expect(gate.outbound(outbound("Hello there"))).toEqual({
      cancel: true,
      reason: "not-armed",
      peer: PEER,
    });
    expect(rows("SELECT decision, reason, content, request_id FROM responses")).toEqual([
      { decision: "cancelled", reason: "not-armed", content: "Hello there", request_id: null },
    ]);
  });

  it("lets armed replies through, one use each, extending the TTL with each send", () => {
    const { gate, rows, clock } = setup();
    gate.inbound(inbound({ messageId: "r1" }));
    clock.advance(50_000);
    expect(gate.outbound(outbound("one"))).toMatchObject({
      cancel: false,
      reason: "arm",
      usesLeft: 1,
    });
    // Without the extension the arm would have expired at +60 s.
    clock.advance(50_000);
    expect(gate.outbound(outbound("two"))).toMatchObject({
      cancel: false,
      reason: "arm",
      usesLeft: 0,
    });
    expect(gate.outbound(outbound("three"))).toMatchObject({ cancel: true });
    expect(rows("SELECT status, last_response_at FROM requests")).toEqual([
      { status: "responded", last_response_at: clock.value },
    ]);
    expect(rows("SELECT decision, reason FROM responses ORDER BY id")).toEqual([
      { decision: "allowed", reason: "arm" },
      { decision: "allowed", reason: "arm" },
      { decision: "cancelled", reason: "not-armed" },
    ]);
    expect(rows("SELECT * FROM arms")).toEqual([]);
  });

  it("lets other peers and other channels pass untouched", () => {
    const { gate, rows } = setup();
    expect(gate.outbound(outbound("hi", "+15550109999"))).toEqual({
      cancel: false,
      reason: "unprotected-peer",
    });
    expect(gate.outbound({ channelId: "telegram", to: PEER, content: "hi" })).toEqual({
      cancel: false,
      reason: "not-watched",
    });
    expect(rows("SELECT * FROM responses")).toEqual([]);
  });

  it("protects nobody with the default empty lists", () => {
    const fixture = makeGate({ channel: "whatsapp" });
    fixtures.push(fixture);
    expect(fixture.gate.outbound(outbound())).toMatchObject({
      cancel: false,
      reason: "unprotected-peer",
    });
    expect(fixture.gate.inbound(inbound())).toMatchObject({
      kind: "recorded",
      reason: "unprotected-peer",
    });
  });

  it.each([
    ["inside the window", 200_000, false, "watchdog", "responded"],
    ["outside the window", 400_000, true, "not-armed", "missed"],
  ])(
    "watchdog: a request whose arm expired unanswered, %s",
    (_label, wait, cancel, reason, status) => {
      const { gate, rows, clock } = setup();
      gate.inbound(inbound({ messageId: "slow" }));
      clock.advance(wait); // the 60 s arm is long gone, nothing was sent
      expect(gate.outbound(outbound("late answer"))).toMatchObject({ cancel, reason });
      expect(rows("SELECT status FROM requests")).toEqual([{ status }]);
      // Re-armed once only: the next late message is cancelled either way.
      expect(gate.outbound(outbound("another"))).toMatchObject({ cancel: true });
    },
  );

  it("watchdog re-arms for the newest unanswered request and marks older ones missed", () => {
    const { gate, rows, clock } = setup();
    gate.inbound(inbound({ messageId: "old" }));
    clock.advance(350_000);
    gate.inbound(inbound({ messageId: "new" }));
    clock.advance(120_000);
    expect(gate.outbound(outbound())).toMatchObject({
      reason: "watchdog",
      requestId: "whatsapp:new",
    });
    expect(
      rows(
        "SELECT request_id, status, rearmed_at IS NOT NULL AS rearmed FROM requests ORDER BY created_at",
      ),
    ).toEqual([
      { request_id: "whatsapp:old", status: "missed", rearmed: 0 },
      { request_id: "whatsapp:new", status: "responded", rearmed: 1 },
    ]);
  });

  it("never re-arms for a request that was already answered", () => {
    const { gate, clock } = setup({ maxUsesPerArm: 1 });
    gate.inbound(inbound());
    expect(gate.outbound(outbound())).toMatchObject({ cancel: false, reason: "arm" });
    clock.advance(1_000);
    expect(gate.outbound(outbound())).toMatchObject({ cancel: true });
  });

  it("keeps arms across a restart (a new connection to the same file)", () => {
    const fixture = setup();
    fixture.gate.inbound(inbound());
    expect(fixture.gate.outbound(outbound())).toMatchObject({ usesLeft: 1 });
    const restarted = fixture.reopen();
    expect(restarted.outbound(outbound())).toMatchObject({
      cancel: false,
      reason: "arm",
      usesLeft: 0,
    });
    expect(restarted.outbound(outbound())).toMatchObject({ cancel: true });
  });
});

describe("wrapper text", () => {
  const WRAP = {
    wrapperTargets: ["+1 555 010 2000", "+15550109999"],
    wrapperPrefix: "[F]",
    wrapperSuffix: "[/F]",
  };

  it("wraps text to a target peer once, and stores what was sent", () => {
    const { gate, rows } = setup(WRAP);
    expect(gate.outbound(outbound("hi", "+15550109999"))).toEqual({
      cancel: false,
      reason: "unprotected-peer",
      content: "[F]\nhi\n[/F]",
    });
    expect(gate.outbound(outbound("[F]\nhi\n[/F]", "+15550109999"))).toEqual({
      cancel: false,
      reason: "unprotected-peer",
    });
    gate.inbound(inbound());
    expect(gate.outbound(outbound("armed reply"))).toMatchObject({
      cancel: false,
      content: "[F]\narmed reply\n[/F]",
    });
    expect(rows("SELECT content FROM responses")).toEqual([{ content: "[F]\narmed reply\n[/F]" }]);
  });

  it("leaves peers that are not targets alone", () => {
    const { gate } = setup(WRAP);
    expect(gate.outbound(outbound("hi", "+15550108888"))).toEqual({
      cancel: false,
      reason: "unprotected-peer",
    });
  });
});
