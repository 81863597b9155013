import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApi } from "../../../test-support/plugin-api.ts";
import { readRows } from "../../../test-support/sqlite-rows.ts";
import { registerMessageGate } from "./register.ts";
import { gateRuntime } from "./runtime.ts";

let stateDir: string;
const opened: string[] = [];

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "message-gate-index-"));
});
afterEach(() => {
  for (const path of opened.splice(0))
    gateRuntime({ dbPath: () => path })
      .store()
      .close();
  rmSync(stateDir, { recursive: true, force: true });
});

/**
 * Registers as the entry does, with the shared fake host API and a temp state dir in place of
 * the host's; returns the fake, the hook names, in order, and the warnings.
 */
function register(mode: string, pluginConfig: unknown) {
  const fake = fakeApi({
    id: "message-gate",
    mode: mode as Parameters<typeof fakeApi>[0]["mode"],
    pluginConfig: pluginConfig as Record<string, unknown>,
  });
  registerMessageGate(fake.api, { stateDir: () => stateDir });
  return {
    fake,
    hooks: [...fake.hooks.keys()],
    warnings: fake.logs.filter((line) => line.startsWith("warn: ")).map((line) => line.slice(6)),
  };
}

const HOOKS = ["message_received", "message_sending"];

describe("message-gate registration", () => {
  it.each(["full", "discovery", "setup-runtime"])(
    "registers both hooks in %s mode without touching the runtime",
    (mode) => {
      const { hooks } = register(mode, {});
      expect(hooks).toEqual(HOOKS);
    },
  );

  it("registers nothing in cli-metadata mode", () => {
    const { hooks } = register("cli-metadata", { bogus: true });
    expect(hooks).toEqual([]);
  });

  it.each([
    ["a trigger that does not compile", { triggerRegex: "[unclosed-1" }, "triggerRegex"],
    ["an unknown key", { protectedPeers: ["x"] }, "protectedPeers"],
    ["a mistyped value", { debug: "yes" }, "debug"],
  ])(
    "fails closed on %s: both hooks, protected replies cancelled, one error naming the key",
    (_label, broken, key) => {
      const config = { channel: "webchat", protectedTo: ["agent:main:gated"], ...broken };
      // The host registers the plugin once per surface in one process: still one error line.
      const first = register("full", config);
      const second = register("full", config);
      expect(first.hooks).toEqual(HOOKS);
      const errors = [...first.fake.logs, ...second.fake.logs].filter((line) =>
        line.startsWith("error: "),
      );
      expect(errors).toEqual([
        expect.stringContaining(
          `error: [message-gate] config error: plugins.entries.message-gate.config.${key} `,
        ),
      ]);
      const send = (fake: typeof first.fake, to: string) =>
        fake.hooks.get("message_sending")?.[0]?.(
          { to, content: "reply" },
          { channelId: "webchat", conversationId: to },
        );
      for (const { fake } of [first, second]) {
        expect(send(fake, "agent:main:gated")).toEqual({
          cancel: true,
          cancelReason: "message-gate: config error, failing closed",
        });
        expect(send(fake, "agent:main:free")).toBeUndefined();
      }
      // Nothing arms, nothing is written.
      first.fake.fire(
        "message_received",
        { from: "cli", content: "assistant: hi", messageId: "m1" },
        { channelId: "webchat", conversationId: "agent:main:gated" },
      );
      expect(send(first.fake, "agent:main:gated")).toMatchObject({ cancel: true });
      expect(existsSync(join(stateDir, "message-gate"))).toBe(false);
    },
  );

  it("warns once per process about a clamped value and keeps working", () => {
    const config = { channel: "webchat", armTtlMs: 1_234 };
    const warnings = [...register("full", config).warnings, ...register("full", config).warnings];
    expect(warnings).toEqual([
      "[message-gate] plugins.entries.message-gate.config.armTtlMs 1234 is outside 15000-86400000; using 15000",
    ]);
  });

  it.each([
    [undefined, ["message-gate", "gate.sqlite"]],
    ["  ", ["message-gate", "gate.sqlite"]],
    ["ledgers/gate.db", ["ledgers", "gate.db"]],
  ])("keeps the ledger for dbPath %j under the state dir at %j", (dbPath, parts) => {
    const { fake } = register("full", { channel: "webchat", ...(dbPath ? { dbPath } : {}) });
    const path = join(stateDir, ...parts);
    expect(existsSync(path)).toBe(false);
    fake.fire(
      "message_received",
      { from: "cli", content: "hello", messageId: "m1" },
      { channelId: "webchat", conversationId: "agent:main:gated" },
    );
    opened.push(path);
    expect(readRows(path, "SELECT message_id, peer FROM seen_messages")).toEqual([
      { message_id: "m1", peer: "agent:main:gated" },
    ]);
  });

  it("keeps the ledger at an absolute dbPath as given", () => {
    const path = join(stateDir, "elsewhere", "gate.db");
    const { fake } = register("full", { channel: "webchat", dbPath: path });
    fake.fire(
      "message_received",
      { from: "cli", content: "hello", messageId: "m1" },
      { channelId: "webchat", conversationId: "agent:main:gated" },
    );
    opened.push(path);
    expect(readRows(path, "SELECT message_id FROM seen_messages")).toEqual([{ message_id: "m1" }]);
    expect(existsSync(join(stateDir, "message-gate"))).toBe(false);
  });
});
