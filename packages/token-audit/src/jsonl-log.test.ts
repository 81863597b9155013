import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JsonlLog } from "./jsonl-log.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), "jsonl-log-"));
  dirs.push(dir);
  return join(dir, "token-audit", "usage.jsonl");
};
const lines = (path: string) =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .trimEnd()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

describe("JsonlLog", () => {
  it("appends one JSON object per line to a private file", () => {
    const path = tempFile();
    const log = new JsonlLog({ path, maxBytes: 10_000, maxFiles: 2 });
    log.append({ n: 1 });
    log.append({ n: 2, text: "line\nbreak" });
    expect(existsSync(path)).toBe(false); // buffered until the next tick or flush
    log.flush();
    expect(lines(path)).toEqual([{ n: 1 }, { n: 2, text: "line\nbreak" }]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("writes on its own after the current tick", async () => {
    const path = tempFile();
    new JsonlLog({ path, maxBytes: 10_000, maxFiles: 2 }).append({ later: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines(path)).toEqual([{ later: true }]);
  });

  it("rotates by size and keeps maxFiles generations, newest first", () => {
    const path = tempFile();
    const line = { pad: "x".repeat(80) }; // 93 bytes with the newline
    const log = new JsonlLog({ path, maxBytes: 200, maxFiles: 2 });
    for (let n = 0; n < 7; n++) {
      log.append({ n, ...line });
      log.flush();
    }
    // Two lines fit in 200 bytes: files hold [6], [4,5], [2,3]; [0,1] rotated away.
    expect(lines(path).map((l) => l.n)).toEqual([6]);
    expect(lines(`${path}.1`).map((l) => l.n)).toEqual([4, 5]);
    expect(lines(`${path}.2`).map((l) => l.n)).toEqual([2, 3]);
    expect(existsSync(`${path}.3`)).toBe(false);
    for (const p of [path, `${path}.1`, `${path}.2`])
      expect(statSync(p).size).toBeLessThanOrEqual(200);
  });

  it("reports write failures instead of throwing into the host", () => {
    const errors: unknown[] = [];
    const blocker = tempFile(); // a file where the log's directory should be
    mkdirSync(dirname(blocker), { recursive: true });
    writeFileSync(blocker, "");
    const log = new JsonlLog({
      path: join(blocker, "usage.jsonl"),
      maxBytes: 100,
      maxFiles: 1,
      onError: (e) => errors.push(e),
    });
    log.append({ a: 1 });
    expect(() => log.flush()).not.toThrow();
    expect(errors).toHaveLength(1);
  });

  it("keeps the lines it could not write and writes them once the file is writable again", async () => {
    const errors: unknown[] = [];
    const path = tempFile();
    mkdirSync(dirname(dirname(path)), { recursive: true });
    writeFileSync(dirname(path), ""); // the log's directory is blocked by a file
    const log = new JsonlLog({
      path,
      maxBytes: 1_000_000,
      maxFiles: 1,
      retryDelayMs: 10,
      onError: (e) => errors.push(e),
    });
    log.append({ n: 1 });
    log.append({ n: 2 });
    log.flush();
    expect(errors).toHaveLength(1);
    expect(log.pending).toBe(2);
    log.append({ n: 3 });
    rmSync(dirname(path)); // the operator fixes it
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines(path)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(log.pending).toBe(0);
  });

  it("bounds what it keeps while the file stays unwritable, saying how many it dropped", () => {
    const errors: unknown[] = [];
    const path = tempFile();
    mkdirSync(dirname(dirname(path)), { recursive: true });
    writeFileSync(dirname(path), "");
    const log = new JsonlLog({
      path,
      maxBytes: 1_000_000,
      maxFiles: 1,
      maxBufferedLines: 3,
      retryDelayMs: 60_000,
      onError: (e) => errors.push(e),
    });
    for (let n = 1; n <= 5; n++) log.append({ n });
    expect(log.pending).toBe(3);
    expect(String(errors[0])).toMatch(/3 lines are waiting: dropped 1 oldest line/);
    log.flush();
    rmSync(dirname(path));
    log.flush();
    expect(lines(path)).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }]);
  });
});
