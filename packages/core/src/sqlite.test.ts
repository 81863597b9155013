import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { inTransaction, isBusyError, openDatabase, sqliteFailure } from "./sqlite.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), "core-sqlite-"));
  dirs.push(dir);
  return join(dir, "nested", "x.sqlite");
};

describe("openDatabase", () => {
  it("creates a private WAL database with its schema", () => {
    const path = tempDb();
    const db = openDatabase(path, { schema: "CREATE TABLE IF NOT EXISTS t (v INTEGER) STRICT" });
    expect(db.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    db.prepare("INSERT INTO t VALUES (1)").run();
    db.close();
    const again = openDatabase(path, { readOnly: true });
    expect(again.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 1 });
    again.close();
  });

  it("rolls a failed transaction back", () => {
    const db = openDatabase(tempDb(), {
      schema: "CREATE TABLE IF NOT EXISTS t (v INTEGER) STRICT",
    });
    expect(() =>
      inTransaction(db, () => {
        db.prepare("INSERT INTO t VALUES (1)").run();
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(db.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 0 });
    db.close();
  });

  it("reports a writer blocked by another connection as busy", () => {
    const path = tempDb();
    const a = openDatabase(path, { schema: "CREATE TABLE IF NOT EXISTS t (v INTEGER) STRICT" });
    const b = openDatabase(path, { busyTimeoutMs: 0 });
    a.exec("BEGIN IMMEDIATE");
    let error: unknown;
    try {
      b.exec("BEGIN IMMEDIATE");
    } catch (caught) {
      error = caught;
    }
    a.exec("ROLLBACK");
    expect(isBusyError(error)).toBe(true);
    expect(isBusyError(new Error("no such table"))).toBe(false);
    a.close();
    b.close();
  });

  it("tells a row the schema rejects from a database at fault", () => {
    const db = openDatabase(tempDb(), {
      schema: "CREATE TABLE IF NOT EXISTS t (v INTEGER NOT NULL CHECK (v >= 0)) STRICT",
    });
    const failure = (sql: string) => {
      try {
        db.exec(sql);
      } catch (error) {
        return sqliteFailure(error);
      }
      return "none";
    };
    expect(failure("INSERT INTO t VALUES (-1)")).toBe("bad-row");
    expect(failure("INSERT INTO t VALUES ('text')")).toBe("bad-row");
    // SQLite's size cap stands in for a full disk: the same SQLITE_FULL the writer sees.
    db.exec("PRAGMA max_page_count = 2");
    const fill =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) INSERT INTO t SELECT x FROM c";
    expect(failure(fill)).toBe("disk-full");
    db.close();
  });

  it("tells a corrupt file (overwritten or truncated) from a database that is only unavailable", () => {
    const failure = (damage: (path: string, size: number) => void) => {
      const path = tempDb();
      const db = openDatabase(path, { schema: "CREATE TABLE IF NOT EXISTS t (v TEXT) STRICT" });
      db.exec(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000) INSERT INTO t SELECT printf('%0100d', x) FROM c",
      );
      db.close();
      damage(path, statSync(path).size);
      try {
        const reopened = openDatabase(path);
        try {
          reopened.prepare("SELECT count(*), max(v) FROM t").get();
        } finally {
          reopened.close();
        }
      } catch (error) {
        return sqliteFailure(error);
      }
      return "none";
    };
    expect(failure((path, size) => writeFileSync(path, Buffer.alloc(size, 0x5a)))).toBe("corrupt");
    expect(failure((path, size) => truncateSync(path, Math.floor(size / 2)))).toBe("corrupt");
  });

  it.each([
    [Object.assign(new Error("attempt to write a readonly database"), { errcode: 8 }), "read-only"],
    [Object.assign(new Error("disk I/O error"), { errcode: 10 | (3 << 8) }), "io"],
    [Object.assign(new Error("database is locked"), { errcode: 5 }), "busy"],
    [Object.assign(new Error("database disk image is malformed"), { errcode: 11 }), "corrupt"],
    [Object.assign(new Error("file is not a database"), { errcode: 26 }), "corrupt"],
    [new Error("database disk image is malformed"), "corrupt"],
    [new Error("unable to open database file"), "unavailable"],
    ["not an error", "unavailable"],
  ])("classifies %s as %s", (error, expected) => {
    expect(sqliteFailure(error)).toBe(expected);
  });
});
