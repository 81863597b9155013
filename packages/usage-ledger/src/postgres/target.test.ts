import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseLedgerConfig } from "../config.ts";
import { resolvePgTarget } from "./target.ts";

const section = (postgres: Record<string, unknown>) => {
  const parsed = parseLedgerConfig({ postgres }).postgres;
  if (!parsed) throw new Error("no postgres section parsed");
  return parsed;
};

describe("central ledger target", () => {
  it("takes a password-free url, with defaults, and labels it without secrets", () => {
    const target = resolvePgTarget(section({ url: "postgres://ledger@db:5432/usage" }), {}, "gw-1");
    expect(target).toEqual({
      url: "postgres://ledger@db:5432/usage",
      table: "usage_ledger_rows",
      gatewayId: "gw-1",
      batchSize: 500,
      intervalMs: 5_000,
      retentionDays: 0,
      label: "postgres://ledger@db:5432/usage#usage_ledger_rows",
    });
  });

  it("reads the whole URL from the variable urlEnv names; its password stays out of the label", () => {
    const target = resolvePgTarget(
      section({ urlEnv: "LEDGER_PG", gatewayId: "eu-1", table: "fleet" }),
      { LEDGER_PG: "postgresql://ledger:s3cret@db/usage?sslmode=require" },
    );
    expect(target.url).toContain("s3cret");
    expect(target.label).toBe("postgresql://ledger@db/usage#fleet");
    expect(target.gatewayId).toBe("eu-1");
  });

  it.each([
    [{ url: "postgres://ledger:pw@db/usage" }, {}, /must not contain a password/],
    [{ url: "postgres://a@db/x", urlEnv: "X" }, {}, /exactly one of url, urlEnv and service/],
    [{ urlEnv: "X", service: "ledger" }, {}, /exactly one of url, urlEnv and service/],
    [{}, {}, /exactly one of url, urlEnv and service/],
    [{ urlEnv: "MISSING" }, {}, /MISSING is not set/],
    [{ url: "mysql://db/x" }, {}, /must be a postgres:\/\//],
    [{ url: "postgres://a@db/x", table: "Bad-Name" }, {}, /lower-case SQL identifier/],
    [{ url: "postgres://a@db/x", table: "t".repeat(49) }, {}, /postgres\.table/],
  ])("refuses %j", (raw, env, message) => {
    expect(() => resolvePgTarget(section(raw), env)).toThrow(message);
  });

  it("refuses a retention out of range by its name", () => {
    expect(() =>
      parseLedgerConfig({ postgres: { url: "postgres://a@db/x", retentionDays: -1 } }),
    ).toThrow(/postgres\.retentionDays/);
    expect(() =>
      parseLedgerConfig({ postgres: { url: "postgres://a@db/x", retentionDays: 36_501 } }),
    ).toThrow(/postgres\.retentionDays/);
    expect(section({ url: "postgres://a@db/x", retentionDays: 30 }).retentionDays).toBe(30);
  });

  it("rejects unknown keys in the section, naming them", () => {
    expect(() => parseLedgerConfig({ postgres: { password: "x" } })).toThrow(
      /"postgres\.password" is not a known setting/,
    );
  });
});

describe("central ledger target from a libpq service file", () => {
  const dir = mkdtempSync(join(tmpdir(), "pg-service-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const user = file(
    "user.conf",
    [
      "# the operator's services",
      "[ledger]",
      "host = db.internal",
      "port=6432",
      "dbname=usage",
      "user=led ger",
      "password=p@ss:word",
      "sslmode=require",
      "application_name=ignored",
      "",
      "[socket]",
      "host=/var/run/postgresql",
    ].join("\n"),
  );
  // The system-wide file, in the directory PGSYSCONFDIR names.
  file("pg_service.conf", "[shared]\nhost=10.0.0.5\nuser=fleet\n");

  it("builds the URL from the service's section; its password is in the URL, not the label", () => {
    const target = resolvePgTarget(section({ service: "ledger" }), { PGSERVICEFILE: user });
    expect(target.url).toBe(
      "postgres://led%20ger:p%40ss%3Aword@db.internal:6432/usage?sslmode=require",
    );
    expect(target.label).toBe("postgres://led ger@db.internal:6432/usage#usage_ledger_rows");
    expect(target.label).not.toContain("word");
  });

  it("falls back to PGSYSCONFDIR/pg_service.conf, with libpq's defaults", () => {
    const env = { PGSERVICEFILE: user, PGSYSCONFDIR: dir };
    expect(resolvePgTarget(section({ service: "shared" }), env).url).toBe(
      "postgres://fleet@10.0.0.5:5432/fleet",
    );
  });

  it.each([
    ["missing", { PGSERVICEFILE: user }, /no service "missing" in .*user\.conf \(no \[missing\]\)/],
    ["ledger", { PGSERVICEFILE: join(dir, "absent.conf") }, /absent\.conf \(not readable\)/],
    ["socket", { PGSERVICEFILE: user }, /host is a socket directory/],
  ])("refuses service %s, saying where it looked", (service, env, message) => {
    expect(() => resolvePgTarget(section({ service }), env)).toThrow(message);
  });

  it("refuses a line that is not key=value, naming the file and line", () => {
    const broken = file("broken.conf", "[ledger]\nhost db\n");
    expect(() =>
      resolvePgTarget(section({ service: "ledger" }), { PGSERVICEFILE: broken }),
    ).toThrow(/broken\.conf line 2 is not key=value/);
  });
});
