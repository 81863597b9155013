import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleRecord } from "@cloudsigma/taas-core/usage-record.test-support";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LedgerWriter } from "./ledger-writer.ts";
import { type ReportFlags, runReportCommand } from "./report-command.ts";

const now = Date.UTC(2026, 10, 21, 12);
let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ledger-cli-"));
  path = join(dir, "usage-ledger", "ledger.sqlite");
  const writer = new LedgerWriter({ path });
  writer.enqueue(sampleRecord({ eventId: "a", ts: now - 3_600_000, sessionKey: "agent:main:a,b" }));
  writer.enqueue(
    sampleRecord({ eventId: "b", ts: now - 2 * 86_400_000, sessionKey: "agent:main:main" }),
  );
  writer.enqueue(sampleRecord({ eventId: "old", ts: now - 30 * 86_400_000 }));
  writer.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(flags: ReportFlags, at = path) {
  let out = "";
  let err = "";
  const code = runReportCommand(flags, at, { out: (t) => (out += t), err: (t) => (err += t), now });
  return { code, out, err };
}

describe("openclaw usage-ledger report", () => {
  it("prints exact JSON for the range", () => {
    const { code, out } = run({ by: "session", since: "7d", json: true });
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.rows.map((r: { key: string }) => r.key).sort()).toEqual([
      "agent:main:a,b",
      "agent:main:main",
    ]);
    expect(json.totals).toMatchObject({ calls: 2, input: 352, cacheRead: 2048, costUsd: 0.000796 });
  });

  it("narrows a report to one agent with --agent, and rejects an id that is not one", () => {
    const main = JSON.parse(run({ by: "day", since: "all", agent: "main", json: true }).out);
    expect(main.totals.calls).toBe(3);
    const other = JSON.parse(run({ by: "day", since: "all", agent: "ops", json: true }).out);
    expect(other).toMatchObject({ rows: [], totals: { calls: 0 } });
    expect(run({ since: "all", agent: "x".repeat(129) })).toMatchObject({ code: 2 });
  });

  it("prints CSV with the session key escaped", () => {
    const { out } = run({ by: "session", since: "7d", csv: true });
    expect(out.split("\r\n")).toContain(
      '"agent:main:a,b",1,1,0,176,5,1024,0,1205,85.33333333333334,,,0,0,0,1,0.000398,0,0.0001152',
    );
  });

  it("prints a table by default, with the ledger's location", () => {
    const { out } = run({ by: "day", since: "all" });
    expect(out).toMatch(/^Usage by day, 1970-01-01T00:00:00\.000Z \.\. 2026-11-21T12:00:00\.001Z/);
    expect(out).toMatch(/2026-10-22\s+1\s+176/);
    expect(out).toMatch(/TOTAL\s+3\s+528/);
    expect(out).toContain(`Ledger: ${path}`);
  });

  it("reports an empty range and a ledger that does not exist yet as empty", () => {
    expect(run({ since: "30m", json: true }).out).toContain('"rows": []');
    const missing = run({ json: true }, join(dir, "nope.sqlite"));
    expect(missing.code).toBe(0);
    expect(JSON.parse(missing.out).totals.calls).toBe(0);
  });

  it.each([
    [
      { by: "week" },
      /--by must be one of day, hour, agent, model, session, trigger, cause, upstream, got "week"/,
    ],
    [{ since: "yesterday" }, /--since "yesterday" is not a duration/],
    [{ limit: "-3" }, /--limit must be a whole number/],
    [{ since: "1d", until: "2d" }, /--since must be before --until/],
    [{ json: true, csv: true }, /choose one of --json and --csv/],
  ] as Array<[ReportFlags, RegExp]>)("rejects %j with exit code 2", (flags, message) => {
    const { code, err, out } = run(flags);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(out).toBe("");
  });
});
