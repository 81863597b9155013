import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createStateDir,
  freePort,
  gatewayCall,
  hookNames,
  inspectPlugin,
  providerModels,
  REPO_ROOT,
  type RunningGateway,
  type StateDir,
  startGateway,
  tearDownHost,
  writeHostConfig,
} from "../../../e2e/harness/index.ts";
import { pollRows, type Row } from "../../../test-support/sqlite-rows.ts";

const GATED = "agent:main:gated";
const PLUGIN = {
  id: "message-gate",
  path: join(REPO_ROOT, "packages", "message-gate"),
  // webchat is the channel the gateway's chat path (chat.send) reports; its sender is "cli".
  config: {
    channel: "webchat",
    protectedTo: [GATED],
    allowedFrom: ["cli"],
    maxUsesPerArm: 2,
    debug: true,
  },
  // Deliberately no allowConversationAccess: message hooks do not need the grant.
};
// The host logs a hook's cancel decision at debug level; this is its own record of the outcome.
const HOST_CANCEL_LINE = "[hooks] message_sending cancel=true decided by message-gate";

describe("message-gate in the real host, driven through chat.send", () => {
  let state: StateDir;
  let emulator: RunningEmulator;
  let gateway: RunningGateway | undefined;
  let port: number;
  let sent = 0;

  const dbPath = () => join(state.dir, "message-gate", "gate.sqlite");
  const rows = (sql: string): Row[] => pollRows(dbPath(), sql);
  const hostCancelLines = () =>
    readFileSync(join(state.logs, "openclaw-host.log"), "utf8")
      .split("\n")
      .filter((line) => line.includes(HOST_CANCEL_LINE)).length;
  /** The host logs after the hook returned (and buffers): wait for the count to get there. */
  const settledCancelLines = async (expected: number): Promise<number> => {
    const deadline = Date.now() + 15_000;
    while (hostCancelLines() < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return hostCancelLines();
  };
  /** Sends one webchat message and waits until the gate decided on the agent's reply. */
  const chat = async (message: string): Promise<Row> => {
    const before = rows("SELECT id FROM responses").length;
    const { json } = await gatewayCall<{ status?: string }>(state, "chat.send", {
      sessionKey: GATED,
      message,
      idempotencyKey: `gate-e2e-${++sent}`,
    });
    expect(json.status).toBe("started");
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const decided = rows("SELECT * FROM responses ORDER BY id").slice(before);
      if (decided.length > 0) {
        expect(decided).toHaveLength(1);
        return decided[0] as Row;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`no gate decision for "${message}" within 60 s; logs: ${state.logs}`);
  };

  beforeAll(async () => {
    state = await createStateDir("message-gate");
    emulator = await startEmulator({ replicas: 1 });
    port = await freePort();
    await writeHostConfig(state, {
      baseUrl: emulator.url,
      models: providerModels(),
      plugins: [PLUGIN],
      gateway: { port, token: "gate-token" },
      extra: { logging: { file: join(state.logs, "openclaw-host.log"), level: "debug" } },
    });
    gateway = await startGateway(state, { port, token: "gate-token" });
  });

  afterAll(() => tearDownHost({ gateway, emulator, state }));

  it("loads with its hooks and no diagnostics", async () => {
    const inspect = await inspectPlugin(state, PLUGIN.id);
    expect(inspect.plugin.status).toBe("loaded");
    expect(hookNames(inspect)).toEqual(["message_received", "message_sending"]);
    expect(inspect.diagnostics).toEqual([]);
  });

  it("cancels the reply in an unarmed protected conversation, and the host honours it", async () => {
    const decision = await chat("hello, is anyone there?");
    expect(decision).toMatchObject({ peer: GATED, decision: "cancelled", reason: "not-armed" });
    expect(String(decision.content)).toMatch(/^TaaS emulator \(gpt-5\.5\): /);
    expect(await settledCancelLines(1)).toBe(1);
    // The message was seen (ids only), nothing armed, no request opened.
    expect(rows("SELECT sender, peer, triggered FROM seen_messages")).toEqual([
      { sender: "cli", peer: GATED, triggered: 0 },
    ]);
    expect(rows("SELECT * FROM arms")).toEqual([]);
    expect(rows("SELECT * FROM requests")).toEqual([]);
  });

  it("lets the reply through once the allowed sender armed the conversation with the trigger", async () => {
    const decision = await chat("assistant: summarise my day");
    expect(decision).toMatchObject({
      decision: "allowed",
      reason: "arm",
      request_id: "webchat:gate-e2e-2",
    });
    expect(hostCancelLines()).toBe(1);
    expect(rows("SELECT request_id, sender, body, status FROM requests")).toEqual([
      {
        request_id: "webchat:gate-e2e-2",
        sender: "cli",
        body: "summarise my day",
        status: "responded",
      },
    ]);
    expect(rows("SELECT uses_left FROM arms")).toEqual([{ uses_left: 1 }]);
  });

  it("keeps the arm across a gateway restart: one more reply passes, the next is cancelled", async () => {
    await gateway?.stop();
    gateway = await startGateway(state, { port, token: "gate-token" });
    const afterRestart = await chat("and what about tomorrow?");
    expect(afterRestart).toMatchObject({
      decision: "allowed",
      reason: "arm",
      request_id: "webchat:gate-e2e-2",
    });
    expect(rows("SELECT * FROM arms")).toEqual([]);
    const spent = await chat("one more thing");
    expect(spent).toMatchObject({ decision: "cancelled", reason: "not-armed" });
    expect(await settledCancelLines(2)).toBe(2);
    expect(rows("SELECT count(*) AS n FROM seen_messages")).toEqual([{ n: 4 }]);
  });
});
