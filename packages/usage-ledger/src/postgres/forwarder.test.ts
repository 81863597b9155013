import { join } from "node:path";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../../test-support/temp-dirs.ts";
import { openLedger } from "../store/migrate.ts";
import { LedgerWriter } from "../store/writer.ts";
import { type CentralSink, LedgerForwarder, readMark, scrub } from "./forwarder.ts";
import type { CentralValue } from "./schema.ts";

const tempDir = useTempDirs("ledger-forward");

function ledgerWith(count: number, from = 0): string {
  return appendRows(join(tempDir(), "ledger.sqlite"), count, from);
}

function appendRows(path: string, count: number, from: number): string {
  const writer = new LedgerWriter({ path, batchSize: 50 });
  for (let i = from; i < from + count; i++) {
    writer.enqueue(
      sampleRecord({
        eventId: `e${i}`,
        ts: 1_700_000_000_000 + i,
        usage: normalizeUsage({ input: i }),
      }),
    );
  }
  writer.close();
  return path;
}

/** A central table in memory, keyed like the real one; it can be told to fail. */
function memorySink() {
  const stored = new Map<string, Record<string, CentralValue>>();
  const state = { down: false, inserts: 0, prepares: 0 };
  const sink: CentralSink = {
    prepare: async () => {
      state.prepares++;
      if (state.down) throw new Error("connect ECONNREFUSED postgres://u:secret@db:5432/x");
    },
    insert: async (rows) => {
      if (state.down) throw new Error("connection ended");
      state.inserts++;
      for (const row of rows) {
        const key = `${row.gateway_id}\u0000${row.event_id}`;
        if (!stored.has(key)) stored.set(key, row);
      }
    },
    close: async () => {},
  };
  return { sink, stored, state };
}

function forwarder(path: string, sink: CentralSink, logs: string[] = []) {
  return new LedgerForwarder({
    ledgerPath: path,
    target: "postgres://u@db:5432/x#t",
    gatewayId: "gw-a",
    sink,
    batchSize: 40,
    intervalMs: 1_000,
    maxBatchesPerTick: 3,
    behindRows: 10,
    logger: { warn: (m) => logs.push(m) },
  });
}

const mark = (path: string) => {
  const db = openLedger(path);
  try {
    return readMark(db, "postgres://u@db:5432/x#t");
  } finally {
    db.close();
  }
};

describe("ledger forwarder", () => {
  it("sends rows in batches after the high-water mark, a bounded number per tick", async () => {
    const path = ledgerWith(250);
    const { sink, stored, state } = memorySink();
    const logs: string[] = [];
    const f = forwarder(path, sink, logs);
    await f.tick();
    expect(state.inserts).toBe(3);
    expect(stored.size).toBe(120);
    expect(mark(path)).toBe(120);
    expect(logs).toEqual([expect.stringMatching(/is behind by 130 rows/)]);
    await f.tick();
    await f.tick();
    expect([...stored.values()].map((r) => r.event_id).sort()).toEqual(
      Array.from({ length: 250 }, (_, i) => `e${i}`).sort(),
    );
    expect(stored.get("gw-a\u0000e7")).toMatchObject({ gateway_id: "gw-a", input: 7, calls: 1 });
    await f.stop();
  });

  it("keeps rows local while PostgreSQL is down, logs once without the password, then catches up", async () => {
    const path = ledgerWith(30);
    const { sink, stored, state } = memorySink();
    const logs: string[] = [];
    const f = forwarder(path, sink, logs);
    state.down = true;
    await f.tick();
    await f.tick();
    expect(stored.size).toBe(0);
    expect(mark(path)).toBe(0);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/failed .*rows stay in the local ledger/);
    expect(logs[0]).not.toContain("secret");
    appendRows(path, 20, 30);
    state.down = false;
    await f.tick();
    expect(stored.size).toBe(50);
    expect(logs.at(-1)).toMatch(/works again/);
    await f.stop();
  });

  it("resumes from the stored mark after a restart, and a resent batch is stored once", async () => {
    const path = ledgerWith(60);
    const { sink, stored, state } = memorySink();
    const first = forwarder(path, sink);
    await first.tick();
    await first.stop();
    const inserts = state.inserts;
    // A forwarder that crashed after PostgreSQL committed but before the mark moved resends.
    const db = openLedger(path);
    db.prepare("UPDATE forward_marks SET last_id = 20").run();
    db.close();
    const second = forwarder(path, sink);
    await second.tick();
    expect(state.inserts).toBe(inserts + 1);
    expect(stored.size).toBe(60);
    expect(mark(path)).toBe(60);
    await second.stop();
  });

  it("scrubs a password from any URL in a message", () => {
    expect(scrub("at postgres://ledger:hunter2@db/x")).toBe("at postgres://ledger:***@db/x");
  });
});
