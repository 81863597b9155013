import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRows } from "../../../test-support/sqlite-rows.ts";
import { parseGateSettings } from "./config.ts";
import { GATE_BASE, OWNER, PEER } from "./gate.test-support.ts";
import { MessageGate } from "./gate.ts";
import { UnusableLedgerError } from "./gate-migrate.ts";
import { GateStore } from "./gate-store.ts";
import { createGateHooks } from "./hooks.ts";

/** The tables of a ledger lorene-gate wrote (its schema, as existing installations have it). */
const LORENE_GATE_LEDGER = `
CREATE TABLE seen_messages (channel TEXT NOT NULL, message_id TEXT NOT NULL, sender TEXT, peer TEXT,
  triggered INTEGER NOT NULL DEFAULT 0, request_id TEXT, thread_id TEXT, created_at INTEGER NOT NULL,
  PRIMARY KEY (channel, message_id));
CREATE TABLE threads (thread_id TEXT PRIMARY KEY, channel TEXT NOT NULL, peer TEXT NOT NULL,
  topic TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE requests (request_id TEXT PRIMARY KEY, channel TEXT NOT NULL, sender TEXT NOT NULL,
  peer TEXT NOT NULL, inbound_message_id TEXT NOT NULL, thread_id TEXT NOT NULL, trigger_text TEXT,
  body TEXT, status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  last_response_at INTEGER);
CREATE TABLE responses (id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT, outbound_message_id TEXT,
  channel TEXT NOT NULL, peer TEXT NOT NULL, kind TEXT NOT NULL, content TEXT, created_at INTEGER NOT NULL);
CREATE TABLE arms (arm_key TEXT PRIMARY KEY, channel TEXT NOT NULL, peer TEXT NOT NULL,
  request_id TEXT NOT NULL, source_message_id TEXT, sender TEXT, expires_at INTEGER NOT NULL,
  uses_left INTEGER NOT NULL, updated_at INTEGER NOT NULL);
`;
const NOW = Date.UTC(2026, 0, 1, 12);

let dir: string;
let path: string;
const stores: GateStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "message-gate-migrate-"));
  path = join(dir, "lorene-gate.db");
});
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeLedger(sql: string): void {
  const db = new DatabaseSync(path);
  db.exec(sql);
  db.close();
}
const tables = () =>
  readRows(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map(
    (row) => row.name,
  );
function open(): GateStore {
  const store = GateStore.open(path);
  stores.push(store);
  return store;
}

describe("a ledger written by lorene-gate", () => {
  beforeEach(() => {
    writeLedger(`${LORENE_GATE_LEDGER}
      INSERT INTO requests VALUES ('whatsapp:m1', 'whatsapp', '${OWNER}', '${PEER}', 'm1',
        't1', 'friday: hi', 'hi', 'responded', ${NOW - 9_000}, ${NOW - 8_000}, ${NOW - 8_000});
      INSERT INTO responses (request_id, channel, peer, kind, content, created_at)
        VALUES ('whatsapp:m1', 'whatsapp', '${PEER}', 'text', 'hello', ${NOW - 8_000});
      INSERT INTO arms VALUES ('whatsapp:${PEER}', 'whatsapp', '${PEER}', 'whatsapp:m1', 'm1',
        '${OWNER}', ${NOW + 60_000}, 1, ${NOW - 8_000});`);
  });

  it("is migrated in place: its arm still allows the next reply, its history is kept", () => {
    const store = open();
    const gate = new MessageGate({
      settings: parseGateSettings(GATE_BASE),
      store: () => store,
      now: () => NOW,
    });
    expect(gate.outbound({ channelId: "whatsapp", to: PEER, content: "later" })).toMatchObject({
      cancel: false,
      reason: "arm",
      requestId: "whatsapp:m1",
    });
    expect(gate.outbound({ channelId: "whatsapp", to: PEER, content: "more" })).toMatchObject({
      cancel: true,
    });
    expect(readRows(path, "SELECT content, decision, reason FROM responses ORDER BY id")).toEqual([
      { content: "hello", decision: "allowed", reason: "legacy" },
      { content: "later", decision: "allowed", reason: "arm" },
      { content: "more", decision: "cancelled", reason: "not-armed" },
    ]);
    expect(readRows(path, "SELECT request_id, rearmed_at FROM requests")).toEqual([
      { request_id: "whatsapp:m1", rearmed_at: null },
    ]);
  });

  it("opens again unchanged (the migration runs once)", () => {
    open().close();
    stores.splice(0);
    expect(() => open()).not.toThrow();
    expect(readRows(path, "SELECT count(*) AS n FROM responses")).toEqual([{ n: 1 }]);
  });
});

describe("a file the gate cannot use", () => {
  it("is refused, left as it was, with an error that says how to fix it", () => {
    writeLedger("CREATE TABLE arms (arm_key TEXT PRIMARY KEY, owner TEXT);");
    expect(() => open()).toThrow(UnusableLedgerError);
    expect(() => open()).toThrow(
      /the ledger ".*lorene-gate\.db" has an unknown layout \(missing arms\.channel, arms\.peer, arms\.request_id, arms\.source_message_id, arms\.sender\); move the file aside \(or set plugins\.entries\.message-gate\.config\.dbPath to a new file\) and restart the gateway; until then every reply to a protected peer is cancelled$/,
    );
    expect(tables()).toEqual(["arms"]);
  });

  it("is refused when it is not a database at all", () => {
    writeFileSync(path, "not a database, just text that happens to be long enough ".repeat(20));
    expect(() => open()).toThrow(
      /the ledger ".*" cannot be used \(file is not a database\); move the file aside/,
    );
    expect(readFileSync(path, "utf8")).toMatch(/^not a database/);
  });

  it("keeps protected peers cancelled, and the log says why", () => {
    writeLedger("CREATE TABLE arms (arm_key TEXT PRIMARY KEY, owner TEXT);");
    const lines: string[] = [];
    const gate = new MessageGate({ settings: parseGateSettings(GATE_BASE), store: open });
    const hooks = createGateHooks({
      gate: () => gate,
      logger: { info: (m) => lines.push(m), error: (m) => lines.push(m) },
      debug: false,
    });
    expect(
      hooks.onMessageSending({ to: PEER, content: "reply" }, { channelId: "whatsapp" }),
    ).toEqual({ cancel: true, cancelReason: "message-gate: internal error, failing closed" });
    expect(lines).toEqual([
      expect.stringMatching(
        /^\[message-gate\] gate failed for protected peer \+15550102000; failing closed \(message cancelled\): message-gate: the ledger .* has an unknown layout .*; move the file aside/,
      ),
    ]);
  });
});
