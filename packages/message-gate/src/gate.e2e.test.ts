import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  gatewayCall,
  type Host,
  hookNames,
  inspectPlugin,
  nonEmpty,
  REPO_ROOT,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../e2e/harness/index.ts";
import { pollRows, type Row } from "../../../test-support/sqlite-rows.ts";

const GATED = "agent:main:gated";
const PLUGIN = {
  id: "message-gate",
  path: join(REPO_ROOT, "packages", "message-gate"),
  // webchat is the channel the gateway's chat path (chat.send) reports; its sender is "cli".
  config: {
    channel: "webchat",
    // Written in another case than the host's lower-cased session key: still the same peer.
    protectedTo: ["agent:main:Gated"],
    allowedFrom: ["cli"],
    // "\:" is an identity escape, as lorene-gate triggers were written: it must compile.
    triggerRegex: "^\\s*assistant\\:\\s*",
    maxUsesPerArm: 2,
    debug: true,
  },
  // Deliberately no allowConversationAccess: message hooks do not need the grant.
};
// The host logs a hook's cancel decision at debug level; this is its own record of the outcome.
const HOST_CANCEL_LINE = "[hooks] message_sending cancel=true decided by message-gate";

describe("message-gate in the real host, driven through chat.send", () => {
  let host: Host;
  let sent = 0;

  const dbPath = () => join(host.state.dir, "message-gate", "gate.sqlite");
  const rows = (sql: string): Row[] => pollRows(dbPath(), sql);
  const hostCancelLines = () =>
    readFileSync(join(host.state.logs, "openclaw-host.log"), "utf8")
      .split("\n")
      .filter((line) => line.includes(HOST_CANCEL_LINE)).length;
  /**
   * The host logs after the hook returned (and buffers): wait for the count to get there, then
   * return the count, so the caller still sees one line too many.
   */
  const settledCancelLines = async (expected: number, timeoutMs = 15_000): Promise<number> => {
    await waitFor(`${expected} host cancel line(s)`, () => hostCancelLines() >= expected, {
      timeoutMs,
      logs: host.state.logs,
    });
    return hostCancelLines();
  };
  const send = async (message: string): Promise<void> => {
    const { json } = await gatewayCall<{ status?: string }>(host.state, "chat.send", {
      sessionKey: GATED,
      message,
      idempotencyKey: `gate-e2e-${++sent}`,
    });
    expect(json.status).toBe("started");
  };
  /** Sends one webchat message and waits until the gate decided on the agent's reply. */
  const chat = async (message: string): Promise<Row> => {
    const before = rows("SELECT id FROM responses").length;
    await send(message);
    const decided = await waitFor(
      `the gate's decision on "${message}"`,
      () => nonEmpty(rows("SELECT * FROM responses ORDER BY id").slice(before)),
      { timeoutMs: 60_000, intervalMs: 250, logs: host.state.logs },
    );
    expect(decided).toHaveLength(1);
    return decided[0] as Row;
  };

  beforeAll(async () => {
    host = await startHost({
      name: "message-gate",
      emulator: { replicas: 1 },
      config: ({ state }) => ({
        plugins: [PLUGIN],
        extra: { logging: { file: join(state.logs, "openclaw-host.log"), level: "debug" } },
      }),
      gateway: { token: "gate-token" },
    });
  });

  afterAll(() => tearDownHost(host));

  it("loads with its hooks and no diagnostics", async () => {
    const inspect = await inspectPlugin(host.state, PLUGIN.id);
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
    await host.gateway?.stop();
    await host.startGateway();
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

  it("with a trigger that does not compile, still loads and cancels protected replies, saying so once", async () => {
    await host.gateway?.stop();
    const configFile = join(host.state.dir, "openclaw.json");
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    config.plugins.entries[PLUGIN.id].config.triggerRegex = "^(assistant:";
    writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
    const gateway = await host.startGateway();

    const inspect = await inspectPlugin(host.state, PLUGIN.id);
    expect(inspect.plugin.status).toBe("loaded");
    expect(hookNames(inspect)).toEqual(["message_received", "message_sending"]);

    const cancelled = hostCancelLines();
    const decisions = rows("SELECT id FROM responses").length;
    // A working gate would arm on this; the closed one arms nothing and cancels the reply.
    await send("assistant: summarise my day again");
    // No ledger row marks this decision: wait for the host's line as long as `chat` waits for a row.
    expect(await settledCancelLines(cancelled + 1, 60_000)).toBe(cancelled + 1);
    expect(rows("SELECT id FROM responses")).toHaveLength(decisions);
    expect(rows("SELECT * FROM arms")).toEqual([]);

    const errors = gateway
      .output()
      .split("\n")
      .filter((line) => line.includes("plugins.entries.message-gate.config.triggerRegex"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(
      'config error: plugins.entries.message-gate.config.triggerRegex is not a valid regular expression: Unterminated group (pattern "^(assistant:"); failing closed',
    );
  });
});
