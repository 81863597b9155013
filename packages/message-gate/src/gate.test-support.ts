import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQLOutputValue } from "node:sqlite";
import { readRows } from "../../../test-support/sqlite-rows.ts";
import { parseGateSettings } from "./config.ts";
import { type InboundMessage, MessageGate } from "./gate.ts";
import { GateStore } from "./gate-store.ts";

/** A manual clock: tests move time explicitly. */
class TestClock {
  value: number;
  constructor(start = Date.UTC(2026, 0, 1, 12)) {
    this.value = start;
  }
  now = (): number => this.value;
  advance(ms: number): void {
    this.value += ms;
  }
}

export interface GateFixture {
  gate: MessageGate;
  clock: TestClock;
  path: string;
  /** Rows of a ledger table, read through a separate connection (what a reader would see). */
  rows(sql: string, ...params: Array<string | number>): Array<Record<string, SQLOutputValue>>;
  /** A new gate on the same file, as after a gateway restart. */
  reopen(): MessageGate;
  cleanup(): void;
}

export function makeGate(config: Record<string, unknown>, clock = new TestClock()): GateFixture {
  const dir = mkdtempSync(join(tmpdir(), "message-gate-"));
  const path = join(dir, "gate.sqlite");
  const settings = parseGateSettings(config);
  const stores: GateStore[] = [];
  const open = () => {
    const store = GateStore.open(path);
    stores.push(store);
    return new MessageGate({ settings, store: () => store, now: clock.now });
  };
  return {
    gate: open(),
    clock,
    path,
    rows: (sql, ...params) => readRows(path, sql, ...params),
    reopen() {
      for (const store of stores.splice(0)) store.close();
      return open();
    },
    cleanup() {
      for (const store of stores.splice(0)) store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PEER = "+15550102000";
export const OWNER = "+15550103000";
/** A protected WhatsApp peer (given in another spelling) and one allowed owner. */
export const GATE_BASE = {
  channel: "whatsapp",
  protectedTo: ["+1 (555) 010-2000"],
  allowedFrom: [OWNER],
  triggerRegex: "^\\s*friday:\\s*",
  armTtlMs: 60_000,
  maxUsesPerArm: 2,
  missedResponseTtlMs: 300_000,
};

let counter = 0;
/** An inbound trigger from the owner in the protected chat, unless overridden. */
export const inboundMessage = (overrides: Partial<InboundMessage> = {}): InboundMessage => ({
  channelId: "whatsapp",
  peer: "15550102000@s.whatsapp.net",
  senderIds: [`whatsapp:${OWNER}`],
  messageId: `m${++counter}`,
  content: "friday: turn the lights on",
  ...overrides,
});
export const outboundMessage = (content = "Done.", to = PEER) => ({
  channelId: "whatsapp",
  to,
  content,
});
