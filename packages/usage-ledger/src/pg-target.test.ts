import { describe, expect, it } from "vitest";
import { parseLedgerConfig } from "./config.ts";
import { resolvePgTarget } from "./pg-target.ts";

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
    [{ url: "postgres://a@db/x", urlEnv: "X" }, {}, /exactly one of url and urlEnv/],
    [{}, {}, /exactly one of url and urlEnv/],
    [{ urlEnv: "MISSING" }, {}, /MISSING is not set/],
    [{ url: "mysql://db/x" }, {}, /must be a postgres:\/\//],
    [{ url: "postgres://a@db/x", table: "Bad-Name" }, {}, /lower-case SQL identifier/],
  ])("refuses %j", (raw, env, message) => {
    expect(() => resolvePgTarget(section(raw), env)).toThrow(message);
  });

  it("rejects unknown keys in the section, naming them", () => {
    expect(() => parseLedgerConfig({ postgres: { password: "x" } })).toThrow(
      /"postgres\.password" is not a known setting/,
    );
  });
});
