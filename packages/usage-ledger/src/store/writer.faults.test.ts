import { execFileSync } from "node:child_process";
import {
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import { sampleRecord, sampleRecords } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../../test-support/temp-dirs.ts";
import { setAsideLedgers } from "./set-aside.ts";
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

  it("sets a corrupt file aside (garbage bytes), starts a fresh ledger and keeps recording", () => {
    const path = join(tempDir(), "ledger.sqlite");
    const before = new LedgerWriter({ path, batchSize: 100 });
    for (const r of sampleRecords(300, 0)) before.enqueue(r);
    before.close();
    const garbage = Buffer.alloc(statSync(path).size, 0x5a);
    writeFileSync(path, garbage);
    writeFileSync(`${path}-wal`, "left by the damaged file");
    const logs: string[] = [];
    const at = Date.UTC(2026, 11, 7, 19, 40);
    const w = new LedgerWriter({
      path,
      now: () => at,
      logger: { warn: (m) => logs.push(`warn: ${m}`), error: (m) => logs.push(`error: ${m}`) },
    });
    w.enqueue(sampleRecord({ eventId: "after" }));
    expect(w.flush()).toEqual({ inserted: 1, duplicates: 0, queued: 0 });
    w.close();
    const aside = `${path}.corrupt-2026-12-07T19-40-00Z`;
    expect(logs).toEqual([
      `error: ledger file ${path} is corrupt (file is not a database): moved it aside to ${aside} (with its -wal and -shm files, kept for recovery) and started a fresh ledger at ${path}; recording goes on there`,
    ]);
    expect(readFileSync(aside)).toEqual(garbage);
    expect(readFileSync(`${aside}-wal`, "utf8")).toBe("left by the damaged file");
    expect(countRows(path)).toBe(1);
    expect(setAsideLedgers(path)).toEqual([{ path: aside, at: "2026-12-07T19:40:00Z" }]);
  });

  it("sets a file aside that turns corrupt under the running writer (truncated), keeping the batch", () => {
    const path = join(tempDir(), "ledger.sqlite");
    const logs: string[] = [];
    const w = new LedgerWriter({
      path,
      batchSize: 100,
      logger: { warn: (m) => logs.push(`warn: ${m}`), error: (m) => logs.push(`error: ${m}`) },
    });
    for (const r of sampleRecords(2000, 0)) w.enqueue(r);
    w.flush(Number.POSITIVE_INFINITY);
    // A backup tool or a full disk leaves half the file (the WAL checkpointed first).
    const db = openDatabase(path);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    db.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    for (const r of sampleRecords(5, 0, { agentId: "after" })) {
      w.enqueue({ ...r, eventId: `${r.eventId}:after` });
    }
    expect(w.flush()).toMatchObject({ inserted: 5, queued: 0 });
    w.close();
    expect(countRows(path)).toBe(5);
    const [aside, ...more] = setAsideLedgers(path);
    expect(more).toEqual([]);
    expect(aside && existsSync(aside.path)).toBe(true);
    expect(logs).toEqual([
      expect.stringMatching(
        /^error: ledger file .* is corrupt \(database disk image is malformed\): moved it aside to .*\.corrupt-/,
      ),
    ]);
  });
});
