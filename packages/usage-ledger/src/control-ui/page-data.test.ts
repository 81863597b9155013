import { describe, expect, it } from "vitest";
import { ttlAdviceText } from "../keep-warm/advice-text.ts";
import { KEEP_WARM_METHOD } from "../keep-warm/advice-types.ts";
import { geometryLine } from "../report/geometry-source.ts";
import { LAST_ROUTE_METHOD, loadPageData, REPORT_METHOD, type Request } from "./page-data.ts";

/** A group as usage-ledger.keepWarm answers it (advise --json prints the same). */
const keepWarmGroup = (agent: string, basis: string) => ({
  agent,
  provider: "cloudsigma",
  model: "gpt-5.5",
  ttlSeconds: 300,
  pingAfterSeconds: 270,
  gaps: 8,
  medianGapSeconds: 320,
  p90GapSeconds: 7200,
  histogram: [
    { upToTtls: 1, gaps: 2 },
    { upToTtls: 2, gaps: 5 },
    { upToTtls: 4, gaps: 0 },
    { upToTtls: null, gaps: 1 },
  ],
  ttlExpired: { calls: 6, tokens: 120_000, costNano: 135_000_000, unpricedCalls: 0 },
  pingCostNano: 2_510_000,
  warmSavingNano: 22_500_000,
  returnChance: [0.83, null],
  basis,
  pingsPerGap: basis === "pays" ? 1 : 0,
  expectedNetPerDayNano: basis === "pays" ? 97_440_000 : 0,
  pings: { count: 0, costNano: 0, warmReturns: 0, savedNano: 0, netNano: 0, unpriced: 0 },
});

const row = (key: string | null, extra: Record<string, unknown> = {}) => ({
  key,
  calls: 2,
  ledgerRows: 2,
  costUsd: 0.1,
  costUnknownRows: 0,
  ...extra,
});

/** A gateway answering the report by group, and lastRoute per agent (or not at all). */
function gateway(routes: boolean): { request: Request; asked: Array<[string, unknown]> } {
  const asked: Array<[string, unknown]> = [];
  const reports: Record<string, unknown[]> = {
    hour: [row("2026-12-01T10:00:00.000Z"), row("2026-12-01T09:00:00.000Z")],
    cause: [
      row("replica_switch", { missedTokens: 500 }),
      row("none"),
      row("cold", { missedTokens: 900 }),
    ],
    agent: [row("main", { missedTokens: 1400, topCause: "cold" }), row("ops", { topCause: null })],
    model: [row("cloudsigma/a", { topCause: "replica_switch" })],
    upstream: [row("replica-1")],
  };
  const request: Request = async (method, params) => {
    asked.push([method, params]);
    if (method === LAST_ROUTE_METHOD) {
      if (!routes) throw new Error("unknown method");
      return {
        found: true,
        route: { upstream: "replica-1", model: "auto", autorouterModel: "gpt", autorouted: true },
      };
    }
    if (method === KEEP_WARM_METHOD) {
      if (!routes) throw new Error("unknown method");
      return {
        groups: [keepWarmGroup("main", "pays"), keepWarmGroup("ops", "does_not_pay"), { agent: 3 }],
      };
    }
    if (method !== REPORT_METHOD) throw new Error(method);
    const rows = reports[String(params.by)] ?? [];
    return {
      by: params.by,
      since: "2026-11-30T10:30:00.000Z",
      until: "2026-12-01T10:30:00.000Z",
      rows,
      totals: row(null, { calls: 2 }),
      cacheGeometry: [PROBED, { provider: "x", model: "y", source: "guessed" }],
    };
  };
  return { request, asked };
}

/** A model the report says is accounted with a probed geometry (as report/geometry-notes.ts writes it). */
const PROBED = {
  provider: "cloudsigma",
  model: "a",
  source: "probed",
  probedAt: "2026-12-08T01:00:00.000Z",
  minTokens: 1024,
  stepTokens: 128,
  ttlSeconds: 300,
  plateauTokens: null,
  readyDelaySeconds: 5,
};

describe("the Token cache page's data", () => {
  it("carries each model's geometry and source as the CLI words it, dropping what it cannot read", async () => {
    const data = await loadPageData(gateway(true).request, "24h", []);
    expect(data.geometry.map(geometryLine)).toEqual([
      "cloudsigma/a: probed 2026-12-08; minimum 1024, step 128, plateau learned, TTL 300 s, readable after 5 s",
    ]);
  });

  it("asks the report for the range's buckets and groups, and orders what it shows", async () => {
    const { request, asked } = gateway(true);
    const data = await loadPageData(request, "24h", ["main", "ops"]);
    const reportsAsked = asked.filter(([m]) => m === REPORT_METHOD).map(([, p]) => p);
    // One report per shape: each group's top cause comes with its row.
    expect(reportsAsked).toEqual(
      ["hour", "cause", "agent", "model", "upstream"].map((by) => ({ by, since: "24h" })),
    );
    expect(data.groups.agent.map((r) => [r.key, r.topCause])).toEqual([
      ["main", "cold"],
      ["ops", null],
    ]);
    expect(data.groups.model.map((r) => [r.key, r.topCause])).toEqual([
      ["cloudsigma/a", "replica_switch"],
    ]);
    expect(data.groups.upstream.map((r) => r.topCause)).toEqual([null]);
    expect(data.series.map((p) => p.key)).toEqual([
      "2026-12-01T09:00:00.000Z",
      "2026-12-01T10:00:00.000Z",
    ]);
    expect(data.causes.map((c) => c.cause)).toEqual(["cold", "replica_switch"]);
    expect(data.from).toBe(Date.parse("2026-11-30T10:30:00.000Z"));
    expect(data.routes?.map((r) => [r.agentId, r.model, r.upstream])).toEqual([
      ["main", "gpt", "replica-1"],
      ["ops", "gpt", "replica-1"],
    ]);
  });

  it("uses day buckets beyond a day, and says routes are unavailable without the optimizer", async () => {
    const { request, asked } = gateway(false);
    const data = await loadPageData(request, "30d", []);
    expect(asked[0]).toEqual([REPORT_METHOD, { by: "day", since: "30d" }]);
    expect(data.routes).toBeNull();
    expect(data.keepWarm).toBeNull();
  });

  it("reads the keep-warm advice for the Keep warm card; a group it cannot read is dropped", async () => {
    const { request, asked } = gateway(true);
    const data = await loadPageData(request, "7d", []);
    expect(asked).toContainEqual([KEEP_WARM_METHOD, { since: "7d" }]);
    expect(data.keepWarm?.map((g) => [g.agent, g.basis])).toEqual([
      ["main", "pays"],
      ["ops", "does_not_pay"],
    ]);
    expect(ttlAdviceText(data.keepWarm ?? [])).toContain(
      "Keep warm pays for main cloudsigma/gpt-5.5 (1 per gap, $0.097/day)",
    );
  });
});
