import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MISS_CAUSES } from "../cache/accounting.ts";
import { enrichRow } from "../enrich/row.ts";
import type { LedgerRow } from "../store/columns.ts";
import { LedgerWriter } from "../store/writer.ts";
import { type LocalReportGroup, REPORT_GROUPS } from "./groups.ts";
import { queryLedgerReport } from "./query.ts";
import { readRouteSums } from "./route-sums.ts";
import { emptyTotals, type ReportTotals } from "./totals.ts";

const HOUR = 3_600_000;
// m1 and routed-1 fully priced, m2 without a cache-read price, the rest unpriced.
const PRICES = (_provider: string, model: string) =>
  model === "m1" || model === "routed-1"
    ? { input: 1, output: 2, cacheRead: 0.1, cacheWrite: 1.25 }
    : model === "m2"
      ? { input: 1, output: 2 }
      : undefined;
const start = Date.UTC(2026, 10, 1, 0, 0);
let dir: string;
let db: DatabaseSync;
const records: LedgerRow[] = [];

// 3 days of varied rows: irregular spacing (so ranges cut hours), several agents, models
// (some autorouted to another), sessions and triggers, run rows, failures, and known, partial
// and unknown costs and savings.
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ledger-report-"));
  const path = join(dir, "ledger.sqlite");
  let ts = start;
  for (let i = 0; i < 900; i++) {
    ts += 60_000 + ((i * 7919) % 400_000);
    const run = i % 9 === 0;
    // Every seventh call has no accounting (no optimizer capture), like rows from before it.
    const accounted = !run && i % 7 !== 0;
    const expected = (i * 13) % 800;
    records.push({
      ...sampleRecord({
        eventId: `e${i}`,
        ts,
        granularity: run ? "run" : "call",
        calls: run ? i % 4 : 1,
        agentId: i % 5 === 0 ? null : `agent-${i % 3}`,
        sessionKey: `agent:main:s${i % 11}`,
        trigger: ["user", "cron", "heartbeat"][i % 3] ?? null,
        provider: i % 13 === 0 ? null : "cloudsigma",
        model: `m${i % 4}`,
        routedModel: i % 6 === 0 ? `routed-${i % 3}` : null,
        usage: normalizeUsage({
          input: 100 + i,
          output: i % 17,
          cacheRead: (i * 31) % 900,
          cacheWrite: i % 2 ? 0 : 7,
        }),
        // The writer prices each row: the host's figure for m0, stated prices for the others.
        hostCost: i % 10 === 0 ? { total: 0 } : { total: i / 1e6 },
        outcome: i % 23 === 0 ? "error" : "completed",
        upstreamRoute: i % 6 === 0 ? null : `replica-${i % 4}`,
      }),
      cache: accounted
        ? {
            affinityId: `oc:${i % 5}`,
            expected,
            missed: Math.max(0, expected - ((i * 31) % 900)),
            invalidated: i % 8,
            cause: MISS_CAUSES[i % MISS_CAUSES.length] ?? "none",
            divergedAt: null,
            // Some missed tokens are priced, some not.
            missedCostNano: i % 3 === 0 ? null : Math.max(0, expected - ((i * 31) % 900)) * 1000,
          }
        : undefined,
    });
  }
  // Each row as the enrich step finishes it (priced at batch time), which the writer stores.
  records.splice(
    0,
    records.length,
    ...records.map((r) => enrichRow(r, { route: undefined, prices: PRICES })),
  );
  const writer = new LedgerWriter({ path, batchSize: 128 });
  for (const r of records) writer.enqueue(r);
  writer.close();
  db = openDatabase(path, { readOnly: true });
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function keyOf(by: LocalReportGroup, r: LedgerRow): string | null {
  switch (by) {
    case "day":
      return new Date(r.ts).toISOString().slice(0, 10);
    case "hour":
      return new Date(Math.floor(r.ts / HOUR) * HOUR).toISOString();
    case "cause":
      return r.cache?.cause ?? null;
    case "upstream":
      return r.upstreamRoute;
    case "agent":
      return r.agentId;
    case "model":
      return modelKey(r.provider, r.routedModel ?? r.model);
    case "requested-model":
      return modelKey(r.provider, r.model);
    case "session":
      return r.sessionKey;
    case "trigger":
      return r.trigger;
  }
}

const modelKey = (provider: string | null, model: string | null) =>
  provider && model ? `${provider}/${model}` : model || provider;

/** The same report computed the slow, obvious way from the source records. */
function bruteForce(by: LocalReportGroup, since: number, until: number, agent?: string) {
  const groups = new Map<string | null, ReportTotals & { topCause: string | null }>();
  const lost = new Map<string | null, Map<string, number>>();
  for (const r of records) {
    if (r.ts < since || r.ts >= until) continue;
    if (agent !== undefined && (r.agentId ?? "") !== agent) continue;
    const key = keyOf(by, r);
    const g = groups.get(key) ?? { ...emptyTotals(), topCause: null };
    g.rows += 1;
    g.calls += r.calls;
    g.errors += r.outcome === "error" ? 1 : 0;
    g.input += r.usage.input;
    g.output += r.usage.output;
    g.cacheRead += r.usage.cacheRead;
    g.cacheWrite += r.usage.cacheWrite;
    g.total += r.usage.total;
    g.costNano += r.costNano ?? 0;
    g.costPartialRows += r.costState === "partial" ? 1 : 0;
    g.costUnknownRows += r.costState === "unknown" ? 1 : 0;
    g.unpricedCalls += r.costState === "known" ? 0 : r.calls;
    g.savingNano += r.savingNano ?? 0;
    g.savingUnknownRows += r.savingNano === null ? 1 : 0;
    const prompt = r.usage.input + r.usage.cacheRead + r.usage.cacheWrite;
    const cache =
      r.cache?.expected === undefined || r.cache.expected === null ? undefined : r.cache;
    g.expectedCacheRead += cache?.expected ?? 0;
    g.missedTokens += cache?.missed ?? 0;
    g.invalidatedTokens += cache?.invalidated ?? 0;
    g.accountedPrompt += cache ? prompt : 0;
    g.accountedRead += cache ? r.usage.cacheRead : 0;
    g.unaccountedCalls += cache ? 0 : r.calls;
    g.missedCostNano += cache?.missedCostNano ?? 0;
    g.missedUnpricedRows +=
      (cache?.missed ?? 0) > 0 && (cache?.missedCostNano ?? null) === null ? 1 : 0;
    // Lost tokens: missed plus invalidated, the one definition every view uses.
    const lostHere = (cache?.missed ?? 0) + (cache?.invalidated ?? 0);
    if (by !== "cause" && cache?.cause && lostHere > 0) {
      const causes = lost.get(key) ?? new Map<string, number>();
      causes.set(cache.cause, (causes.get(cache.cause) ?? 0) + lostHere);
      lost.set(key, causes);
    }
    groups.set(key, g);
  }
  // The cause with the most lost tokens; a tie goes to the name that sorts first.
  for (const [key, causes] of lost) {
    const [top] = [...causes].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    const g = groups.get(key);
    if (g && top) g.topCause = top[0];
  }
  return groups;
}

describe("queryLedgerReport", () => {
  it("has rows of every cost state to aggregate", () => {
    const states = new Set(records.map((r) => r.costState));
    expect([...states].sort()).toEqual(["known", "partial", "unknown"]);
    expect(records.some((r) => r.savingNano === null)).toBe(true);
  });

  const end = () => records.at(-1)?.ts ?? start;
  const ranges: Array<[string, () => [number, number]]> = [
    ["everything", () => [0, end() + 1]],
    ["cut mid-hour at both ends", () => [start + 5 * HOUR + 1234, end() - 7 * HOUR - 999]],
    ["inside one hour", () => [start + 10 * HOUR + 60_000, start + 10 * HOUR + 1_800_000]],
    ["hour-aligned", () => [start + 24 * HOUR, start + 48 * HOUR]],
    ["empty", () => [end() + HOUR, end() + 2 * HOUR]],
  ];

  for (const by of REPORT_GROUPS) {
    it.each(ranges)(`by ${by}: %s equals a row-by-row aggregation`, (_label, range) => {
      const [since, until] = range();
      const report = queryLedgerReport(db, { by, since, until });
      const expected = bruteForce(by, since, until);
      expect(new Map(report.rows.map(({ key, ...sums }) => [key, sums]))).toEqual(expected);
      const rows = [...expected.values()].reduce((s, g) => s + g.rows, 0);
      expect(report.totals.rows).toBe(rows);
    });
  }

  const agents = () => [...new Set(records.map((r) => r.agentId ?? ""))];
  it.each(["cause", "hour", "day"] as const)(
    "by %s for one agent, cut mid-hour, equals that agent's rows only",
    (by) => {
      const [since, until] = [start + 5 * HOUR + 1234, end() - 7 * HOUR - 999];
      expect(agents().length).toBeGreaterThan(1);
      for (const agent of agents()) {
        const report = queryLedgerReport(db, { by, since, until, agent });
        const expected = bruteForce(by, since, until, agent);
        expect(new Map(report.rows.map(({ key, ...sums }) => [key, sums]))).toEqual(expected);
      }
    },
  );

  it("orders days chronologically and other groups by cost", () => {
    const days = queryLedgerReport(db, { by: "day", since: 0, until: end() + 1 }).rows.map(
      (r) => r.key,
    );
    expect(days).toEqual([...days].sort());
    const models = queryLedgerReport(db, { by: "model", since: 0, until: end() + 1 }).rows;
    expect(models.map((r) => r.costNano)).toEqual(
      [...models.map((r) => r.costNano)].sort((a, b) => b - a),
    );
  });

  it("groups an autorouted call by the routed model, and by what it asked for with requested-model", () => {
    const range = { since: 0, until: (records.at(-1)?.ts ?? start) + 1 };
    const keys = (by: LocalReportGroup) =>
      queryLedgerReport(db, { by, ...range }).rows.map((r) => r.key);
    expect(keys("model")).toContain("cloudsigma/routed-0");
    expect(keys("requested-model")).not.toContain("cloudsigma/routed-0");
    expect(keys("requested-model")).toContain("cloudsigma/m0");
  });

  it("names a top cause for groups that lost tokens, none for a cause report", () => {
    const range = { since: 0, until: end() + 1 };
    const agents = queryLedgerReport(db, { by: "agent", ...range }).rows;
    expect(agents.filter((r) => r.topCause !== null).length).toBeGreaterThan(1);
    expect(new Set(agents.map((r) => r.topCause)).size).toBeGreaterThan(1);
    const causes = queryLedgerReport(db, { by: "cause", ...range }).rows;
    expect(causes.every((r) => r.topCause === null)).toBe(true);
  });

  it("sums every cause's lost tokens and missed cost the same whatever the grouping", () => {
    const range = { since: start + 30 * 60_000, until: end() - 90 * 60_000 };
    const byCause = queryLedgerReport(db, { by: "cause", ...range });
    const expected = byCause.rows
      .filter((r) => r.key && r.missedTokens + r.invalidatedTokens > 0)
      .map((r) => [r.key, r.missedTokens + r.invalidatedTokens, r.missedCostNano]);
    expect(expected.length).toBeGreaterThan(3);
    for (const by of ["cause", "agent", "day", "hour"] as const) {
      const { causes } = queryLedgerReport(db, { by, ...range, limit: 2 });
      const got = causes.map((c) => [c.cause, c.lostTokens, c.missedCostNano]);
      expect(got, by).toEqual(expect.arrayContaining(expected));
      expect(got.length, by).toBe(expected.length);
    }
  });

  it("reads each agent's autorouted calls per routed model for the route-cost lines", () => {
    const sums = readRouteSums(db, 0, end() + 1);
    const routed = records.filter((r) => r.granularity === "call" && r.routedModel);
    expect(sums.reduce((n, s) => n + s.calls, 0)).toBe(routed.reduce((n, r) => n + r.calls, 0));
    expect(sums.every((s) => s.knownTokens >= 0 && s.costNano >= s.knownCostNano)).toBe(true);
    expect(
      Array.isArray(
        queryLedgerReport(db, { by: "agent", since: 0, until: end() + 1 }).pricierRoutes,
      ),
    ).toBe(true);
  });

  it("limits groups but keeps them in the totals", () => {
    const all = queryLedgerReport(db, { by: "session", since: 0, until: end() + 1 });
    const top = queryLedgerReport(db, { by: "session", since: 0, until: end() + 1, limit: 3 });
    expect(top.rows).toEqual(all.rows.slice(0, 3));
    expect(top.omitted).toBe(all.rows.length - 3);
    expect(top.totals).toEqual(all.totals);
  });
});
