import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../../../e2e/harness/gateway.ts";
import { geometryResolver } from "../cache/geometry.ts";
import { parseLedgerConfig } from "../config.ts";
import { ledgerPipeline } from "../pipeline.ts";
import { centralReportSql, centralRollupReportSql } from "../postgres/report.ts";
import { LedgerWriter } from "../store/writer.ts";
import { type ReportFlags, runCentralReportCommand, runReportCommand } from "./command.ts";

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
      '"agent:main:a,b",1,1,0,176,5,1024,0,1205,85.33333333333334,,,0,0,0,0,0,1,0,0,0.000398,known,0,0,0,0.001152,known,0,',
    );
  });

  it("prints a table by default, with the ledger's location", () => {
    const { out } = run({ by: "day", since: "all" });
    expect(out).toMatch(/^Usage by day, 1970-01-01T00:00:00\.000Z \.\. 2026-11-21T12:00:00\.001Z/);
    expect(out).toMatch(/2026-10-22\s+1\s+176/);
    expect(out).toMatch(/TOTAL\s+3\s+528/);
    expect(out).toContain(`Ledger: ${path}`);
  });

  it("groups autorouted calls by the routed model or by the requested one, marking unknown cost", () => {
    // Both asked for `auto`; TaaS routed r1 to gpt-5.4 and did not say where r2 went.
    const writer = ledgerPipeline({
      path,
      routes: {
        route: (callId) =>
          callId === "r1:model:1"
            ? { autorouted: true, routedModel: "gpt-5.4" }
            : { autorouted: true },
        prefix: () => undefined,
      },
      prices: (_provider, model) =>
        model === "gpt-5.4" ? { input: 1.25, output: 10, cacheRead: 0.125 } : undefined,
    });
    const auto = { model: "auto", sessionKey: "agent:main:auto", ts: now - 60_000 };
    for (const id of ["r1", "r2"]) {
      writer.enqueue(sampleRecord({ ...auto, eventId: id, callId: `${id}:model:1` }));
    }
    writer.close();
    const json = (by: string) =>
      JSON.parse(run({ by, since: "1d", json: true }).out) as {
        rows: Array<{ key: string; calls: number; costUsd: number | null; costState: string }>;
      };
    expect(json("model").rows).toEqual([
      // Equal costs: by key. The earlier gpt-5.5 row of the fixture is in the range too.
      expect.objectContaining({ key: "cloudsigma/gpt-5.4", calls: 1, costState: "known" }),
      expect.objectContaining({ key: "cloudsigma/gpt-5.5", calls: 1, costState: "known" }),
      expect.objectContaining({
        key: "cloudsigma/auto",
        calls: 1,
        costUsd: null,
        costState: "unknown",
      }),
    ]);
    expect(json("requested-model").rows).toEqual([
      expect.objectContaining({ key: "cloudsigma/auto", calls: 2, costState: "partial" }),
      expect.objectContaining({ key: "cloudsigma/gpt-5.5", calls: 1, costState: "known" }),
    ]);
    const table = run({ by: "requested-model", since: "1d" }).out;
    expect(table).toMatch(/^REQUESTED-MODEL\s+CALLS/m);
    expect(table).toMatch(/cloudsigma\/auto\s+2\s+.*\s0\.0004~\s/);
    expect(table).toContain("Cost leaves out 1 unpriced call(s): 1 row(s) without a known price");
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
      /--by must be one of day, hour, agent, model, requested-model, session, trigger, cause, upstream, got "week"/,
    ],
    [{ since: "yesterday" }, /--since "yesterday" is not a duration/],
    [{ limit: "-3" }, /--limit must be a whole number/],
    [{ since: "1d", until: "2d" }, /--since must be before --until/],
    [{ json: true, csv: true }, /choose one of --json and --csv/],
    [{ by: "gateway" }, /--by gateway is a fleet report: add --pg <url> or --source postgres/],
  ] as Array<[ReportFlags, RegExp]>)("rejects %j with exit code 2", (flags, message) => {
    const { code, err, out } = run(flags);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(out).toBe("");
  });
});

describe("openclaw usage-ledger report --pg", () => {
  const central = async (flags: ReportFlags & { pg: string }) => {
    let out = "";
    let err = "";
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), now };
    const code = await runCentralReportCommand(flags, io);
    return { code, out, err };
  };

  it.each([
    [{ pg: "mysql://db/x" }, /must be a postgres:\/\/ or postgresql:\/\/ URL/],
    [{ pg: "postgres://a@db/x", pgTable: "Drop Table" }, /--pg-table must be/],
    [{ pg: "postgres://a@db/x", by: "week" }, /--by must be one of .*upstream, gateway, got/],
  ])("refuses %j with exit 2", async (flags, message) => {
    const { code, err } = await central(flags);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it("exits 1 naming the target without its password when PostgreSQL is unreachable", async () => {
    const port = await freePort();
    const { code, err } = await central({
      pg: `postgres://ledger:hunter2@127.0.0.1:${port}/usage`,
    });
    expect(code).toBe(1);
    expect(err).toContain(
      `cannot read postgres://ledger@127.0.0.1:${port}/usage#usage_ledger_rows`,
    );
    expect(err).not.toContain("hunter2");
  });

  it("groups the central table by the same keys as the local report", () => {
    expect(centralReportSql("fleet", "model")).toMatch(
      /SELECT coalesce\(provider, ''\) AS k1, coalesce\(nullif\(routed_model, ''\), model, ''\) AS k2, coalesce\(miss_cause, ''\) AS cause,\n {2}sum\(1\) AS "rows"/,
    );
    expect(centralReportSql("fleet", "day")).toMatch(/FROM fleet\nWHERE ts >= to_timestamp/);
    expect(centralReportSql("fleet", "gateway")).toMatch(/^SELECT gateway_id AS k1, '' AS k2,/);
    expect(centralReportSql("fleet", "cause", true)).toContain("AND coalesce(agent_id, '') = $3");
    expect(centralReportSql("fleet", "agent")).toMatch(/\nGROUP BY k1, k2, cause$/);
    // The README prints the --by model query for Grafana and Metabase: it is this one.
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(
      `\`\`\`sql\n${centralReportSql("usage_ledger_rows", "model")}\n\`\`\``,
    );
    // ... and the same report over the hourly rollup, which Grafana can read for whole hours.
    expect(readme).toContain(
      `\`\`\`sql\n${centralRollupReportSql("usage_ledger_rows", "model")}\n\`\`\``,
    );
  });
});

describe("which geometry each model is accounted with", () => {
  const probedAt = "2026-12-08T01:00:00.000Z";
  const resolve = (entry: Record<string, unknown>) =>
    geometryResolver(parseLedgerConfig({ cacheGeometry: entry }), () => ({
      probedAt,
      minTokens: 1024,
      stepTokens: 128,
      plateauTokens: 4864,
      searchedTokens: 6148,
      readyDelayMs: 0,
      ttlMs: 312_000,
      reportsWrites: false,
    }));
  const report = (geometry: ReturnType<typeof resolve>, json: boolean) => {
    let out = "";
    runReportCommand({ by: "day", since: "7d", json }, path, {
      out: (t) => (out += t),
      err: () => {},
      now,
      geometry,
    });
    return out;
  };

  it("says a probed geometry with its date, in the table and in the JSON", () => {
    const probed = resolve({});
    expect(report(probed, false)).toContain(
      "  cloudsigma/gpt-5.5: probed 2026-12-08; minimum 1024, step 128, plateau 4864, TTL 312 s, readable at once\n",
    );
    expect(JSON.parse(report(probed, true)).cacheGeometry).toEqual([
      {
        provider: "cloudsigma",
        model: "gpt-5.5",
        source: "probed",
        probedAt,
        minTokens: 1024,
        stepTokens: 128,
        ttlSeconds: 312,
        plateauTokens: 4864,
        readyDelaySeconds: 0,
      },
    ]);
  });

  it("says a configured entry wins, naming its key", () => {
    expect(report(resolve({ "cloudsigma/gpt-*": { plateauTokens: 0 } }), false)).toContain(
      'cloudsigma/gpt-5.5: configured (cacheGeometry "cloudsigma/gpt-*"); minimum 1024, step 128, plateau none, TTL 300 s',
    );
  });
});
