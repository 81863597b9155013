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

  it("refuses an unknown key and a broken trigger at registration", () => {
    expect(() => register("full", { protectedPeers: [] })).toThrow(
      /message-gate: config key "protectedPeers" is not a known setting/,
    );
    expect(() => register("full", { triggerRegex: "[" })).toThrow(
      /"triggerRegex" is not a valid regular expression/,
    );
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
