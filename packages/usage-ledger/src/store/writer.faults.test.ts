import { execFileSync } from "node:child_process";
import { renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import { sampleRecord, sampleRecords } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../../test-support/temp-dirs.ts";
import { LedgerWriter } from "./writer.ts";

const tempDir = useTempDirs("ledger-faults");
const countRows = (path: string): number => {
  const db = openDatabase(path, { readOnly: true });
  try {
    return Number(db.prepare("SELECT count(*) AS n FROM usage_rows").get()?.n ?? 0);
  } finally {
    db.close();
  }
};

describe("LedgerWriter when the disk or the file fails", () => {
  it("keeps every row queued when the disk fills, and says so (a file-size limit, ulimit -f)", () => {
    const dir = tempDir();
    const path = join(dir, "ledger.sqlite");
    const script = join(dir, "fill.mjs");
    const module = (file: string) => pathToFileURL(join(import.meta.dirname, file)).href;
    writeFileSync(
      script,
      `const { LedgerWriter } = await import(${JSON.stringify(module("writer.ts"))});
const { sampleRecords } = await import(${JSON.stringify(module("../../../core/src/usage/usage-record.test-support.ts"))});
const logs = [];
const w = new LedgerWriter({ path: process.argv[2], batchSize: 100,
  logger: { warn: (m) => logs.push("warn: " + m), error: (m) => logs.push("error: " + m) } });
for (const r of sampleRecords(3000, 0)) w.enqueue(r);
for (let i = 0; i < 5; i++) w.flush(Number.POSITIVE_INFINITY);
console.log(JSON.stringify({ queued: w.queued, logs }));
process.exit(0);
`,
    );
    // The limit applies to this child only; SIGXFSZ ignored, writes past it fail with EFBIG.
    const out = execFileSync(
      "bash",
      ["-c", `trap '' XFSZ; ulimit -f 200; exec "$0" "$@"`, process.execPath, script, path],
      { encoding: "utf8" },
    );
    const result = JSON.parse(out) as { queued: number; logs: string[] };
    expect(result.queued).toBeGreaterThan(0);
    expect(countRows(path) + result.queued).toBe(3000);
    expect(result.logs.length).toBeGreaterThan(0);
    for (const line of result.logs) {
      expect(line).toMatch(
        /^warn: ledger database .* is failing to write \(an I\/O error: a full disk/,
      );
      expect(line).not.toMatch(/busy|rejected and dropped/);
    }
  });

  it("reopens when the file is deleted under it, instead of writing to the dead file", () => {
    const path = join(tempDir(), "ledger.sqlite");
    const logs: string[] = [];
    const w = new LedgerWriter({
      path,
      logger: { warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
    const [first, second] = [sampleRecords(2, 0), sampleRecords(3, 0, { agentId: "other" })];
    for (const r of first) w.enqueue(r);
    w.flush();
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
    for (const r of second) w.enqueue({ ...r, eventId: `${r.eventId}:again` });
    w.flush();
    w.close();
    expect(countRows(path)).toBe(3);
    expect(logs).toEqual([expect.stringMatching(/was deleted or replaced while open; reopening/)]);
  });

  it("writes to the new file when the ledger is replaced (a restore from backup)", () => {
    const dir = tempDir();
    const path = join(dir, "ledger.sqlite");
    const w = new LedgerWriter({ path });
    for (const r of sampleRecords(2, 0)) w.enqueue(r);
    w.flush();
    // The operator restores another ledger file over this one.
    const restored = join(dir, "restored.sqlite");
    const other = new LedgerWriter({ path: restored });
    for (const r of sampleRecords(5, 0, { agentId: "restored" })) other.enqueue(r);
    other.close();
    for (const file of [`${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
    renameSync(restored, path);
    w.enqueue(sampleRecord({ eventId: "after-restore" }));
    w.close();
    expect(countRows(path)).toBe(6);
    unlinkSync(path);
  });
});
