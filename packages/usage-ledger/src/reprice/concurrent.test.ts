import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterAll, describe, expect, it } from "vitest";
import { readRows } from "../../../../test-support/sqlite-rows.ts";
import { LedgerWriter } from "../store/writer.ts";
import { runRepriceCommand } from "./command.ts";

// The gateway may be writing while an operator runs `reprice`: another process holds the
// ledger's write lock for a moment and commits a row; reprice waits for it, and neither loses
// anything.

const HOLDER = `
const { DatabaseSync } = require("node:sqlite");
const db = new DatabaseSync(process.argv[1]);
db.exec("BEGIN IMMEDIATE");
db.exec("INSERT INTO usage_rows (event_id, ts, granularity, calls, input, output, cache_read, cache_write, total, usage_known, recorded_at) VALUES ('gateway', 1, 'call', 1, 1, 1, 0, 0, 2, 1, 1)");
process.stdout.write("locked\\n");
const until = Date.now() + 700;
while (Date.now() < until) {}
db.exec("COMMIT");
db.close();
`;

describe("reprice beside a writing gateway", () => {
  const dir = mkdtempSync(join(tmpdir(), "ledger-reprice-busy-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "ledger.sqlite");

  it("waits for the other writer's transaction, and both changes are kept", async () => {
    const writer = new LedgerWriter({ path });
    writer.enqueue(
      sampleRecord({
        usage: normalizeUsage({ input: 1000, output: 100, cacheRead: 0, cacheWrite: 0 }),
        costNano: null,
        costState: "unknown",
        costSource: null,
        savingNano: 0,
        hostCost: {},
      }),
    );
    writer.close();
    const holder = spawn(process.execPath, ["-e", HOLDER, path], { stdio: "pipe" });
    await once(holder.stdout, "data");
    const started = Date.now();
    let out = "";
    const code = runRepriceCommand(
      {},
      path,
      () => ({ config: () => ({ input: 1, output: 2 }), listing: () => undefined }),
      { out: (text) => (out += text), err: (text) => (out += text) },
    );
    expect(code, out).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(200);
    expect(out).toContain("Repriced 1 row(s):");
    await once(holder, "exit");
    expect(readRows(path, "SELECT event_id, cost_state FROM usage_rows ORDER BY id")).toEqual([
      { event_id: "call:run-1:model:1", cost_state: "known" },
      { event_id: "gateway", cost_state: "unknown" },
    ]);
  });
});
