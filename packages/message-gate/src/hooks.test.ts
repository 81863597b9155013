import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { parseGateSettings } from "./config.ts";
import { type GateFixture, makeGate } from "./gate.test-support.ts";
import { MessageGate } from "./gate.ts";
import type { GateStore } from "./gate-store.ts";
import { createGateHooks } from "./hooks.ts";

// The shapes the host hands the hooks on the gateway's chat path (chat.send, channel webchat).
const WEBCHAT = {
  channel: "webchat",
  protectedTo: ["agent:main:gated"],
  allowedFrom: ["cli"],
  triggerRegex: "^\\s*assistant:\\s*",
};
const received = (content: string, messageId: string) => ({
  event: {
    from: "",
    content,
    messageId,
    senderId: "cli",
    sessionKey: "agent:main:gated",
    metadata: {
      provider: "webchat",
      originatingTo: "agent:main:gated",
      messageId,
      senderId: "cli",
    },
  },
  ctx: { channelId: "webchat", conversationId: "agent:main:gated", messageId, senderId: "cli" },
});
const sending = (content: string, to = "agent:main:gated") => ({
  event: { to, content, replyToId: "k", metadata: { channel: "webchat", mediaUrls: [] } },
  ctx: { channelId: "webchat", conversationId: to, sessionKey: to },
});

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      info: (m: string) => lines.push(`info ${m}`),
      error: (m: string) => lines.push(`error ${m}`),
    },
  };
}

const fixtures: GateFixture[] = [];
afterEach(() => {
  for (const fixture of fixtures.splice(0)) fixture.cleanup();
});

describe("message hooks over the host's webchat event shapes", () => {
  it("an unarmed reply is cancelled, a trigger from the allowed sender arms the next one", () => {
    const fixture = makeGate(WEBCHAT);
    fixtures.push(fixture);
    const { logger, lines } = recordingLogger();
    const hooks = createGateHooks({ gate: () => fixture.gate, logger, debug: true });

    const first = received("hello", "k1");
    hooks.onMessageReceived(first.event, first.ctx);
    const reply = sending("Hi!");
    expect(hooks.onMessageSending(reply.event, reply.ctx)).toEqual({
      cancel: true,
      cancelReason: "message-gate: agent:main:gated is not armed",
    });

    const trigger = received("assistant: what's new?", "k2");
    hooks.onMessageReceived(trigger.event, trigger.ctx);
    expect(hooks.onMessageSending(reply.event, reply.ctx)).toBeUndefined();
    expect(lines).toEqual([
      "info [message-gate] inbound from cli in agent:main:gated: not arming (no-trigger)",
      "info [message-gate] cancelled outbound to agent:main:gated: not armed",
      expect.stringMatching(
        /^info \[message-gate\] armed agent:main:gated by cli: request webchat:k2, 3 use\(s\)/,
      ),
      "info [message-gate] allowed outbound to agent:main:gated (arm): request webchat:k2, 2 use(s) left",
    ]);
  });

  it("returns the wrapped text for a wrapper target and stays quiet without debug", () => {
    const fixture = makeGate({
      ...WEBCHAT,
      wrapperTargets: ["agent:main:other"],
      wrapperPrefix: "<<",
      wrapperSuffix: ">>",
    });
    fixtures.push(fixture);
    const { logger, lines } = recordingLogger();
    const hooks = createGateHooks({ gate: () => fixture.gate, logger, debug: false });
    const reply = sending("text", "agent:main:other");
    expect(hooks.onMessageSending(reply.event, reply.ctx)).toEqual({ content: "<<\ntext\n>>" });
    expect(lines).toEqual([]);
  });
});

describe("internal errors", () => {
  const broken = () => {
    const settings = parseGateSettings(WEBCHAT);
    const store = (): GateStore => {
      throw new Error("disk I/O error");
    };
    return new MessageGate({ settings, store });
  };

  it("fails closed for a protected peer, and says why", () => {
    const { logger, lines } = recordingLogger();
    const hooks = createGateHooks({ gate: broken, logger, debug: false });
    const reply = sending("secret");
    expect(hooks.onMessageSending(reply.event, reply.ctx)).toEqual({
      cancel: true,
      cancelReason: "message-gate: internal error, failing closed",
    });
    expect(lines).toEqual([
      "error [message-gate] gate failed for protected peer agent:main:gated; failing closed (message cancelled): disk I/O error",
    ]);
  });

  it("fails closed even when the gate itself cannot be built", () => {
    const { logger } = recordingLogger();
    const hooks = createGateHooks({
      gate: () => {
        throw new Error("no gate");
      },
      logger,
      debug: false,
    });
    const reply = sending("secret");
    expect(hooks.onMessageSending(reply.event, reply.ctx)).toMatchObject({ cancel: true });
  });

  it("lets an unprotected peer's message through untouched (it never touched the ledger)", () => {
    const { logger, lines } = recordingLogger();
    const hooks = createGateHooks({ gate: broken, logger, debug: false });
    const reply = sending("hi", "agent:main:free");
    expect(hooks.onMessageSending(reply.event, reply.ctx)).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it("fails closed within a short wait when another process holds the ledger's write lock", () => {
    const fixture = makeGate(WEBCHAT);
    fixtures.push(fixture);
    const { logger, lines } = recordingLogger();
    const hooks = createGateHooks({ gate: () => fixture.gate, logger, debug: false });
    const other = new DatabaseSync(fixture.path);
    other.exec("BEGIN IMMEDIATE");
    try {
      const started = performance.now();
      const trigger = received("assistant: hi", "k1");
      hooks.onMessageReceived(trigger.event, trigger.ctx);
      const reply = sending("secret");
      expect(hooks.onMessageSending(reply.event, reply.ctx)).toEqual({
        cancel: true,
        cancelReason: "message-gate: internal error, failing closed",
      });
      // The gateway's event loop waits while SQLite does: well under a second for both hooks.
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    const locked =
      "the ledger was locked by another process for more than 50 ms (database is locked)";
    expect(lines).toEqual([
      `error [message-gate] inbound message not recorded: ${locked}`,
      `error [message-gate] gate failed for protected peer agent:main:gated; failing closed (message cancelled): ${locked}`,
    ]);
    expect(fixture.rows("SELECT * FROM seen_messages")).toEqual([]);
  });

  it("logs an inbound failure instead of throwing into the host", () => {
    const { logger, lines } = recordingLogger();
    const hooks = createGateHooks({ gate: broken, logger, debug: false });
    const message = received("assistant: hi", "k9");
    expect(() => hooks.onMessageReceived(message.event, message.ctx)).not.toThrow();
    expect(lines).toEqual(["error [message-gate] inbound message not recorded: disk I/O error"]);
  });
});
