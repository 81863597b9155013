import { KEEP_WARM_METHOD, type KeepWarmGroup } from "../keep-warm/advice-types.ts";
import type { ModelGeometry } from "../report/geometry-source.ts";
import type { PricierRoute } from "../report/route-cost.ts";
import { readKeepWarmGroups } from "./keep-warm-view.ts";
import { type CauseView, type Figures, type Report, readReport } from "./report-figures.ts";

/**
 * What the Token cache page shows for one range, fetched only through the gateway methods the
 * operator's connection may call (the ledger's report, and the optimizer's lastRoute when it
 * is installed), never from files.
 */

export type RangeId = "24h" | "7d" | "30d";
export type Grouping = "agent" | "model" | "upstream";

/** Each range and the bucket its charts use: hours for a day, days beyond. */
export const RANGES: ReadonlyArray<{ id: RangeId; label: string; bucket: "hour" | "day" }> = [
  { id: "24h", label: "24 h", bucket: "hour" },
  { id: "7d", label: "7 d", bucket: "day" },
  { id: "30d", label: "30 d", bucket: "day" },
];

export const REPORT_METHOD = "usage-ledger.report";
export const LAST_ROUTE_METHOD = "taas.autorouter.lastRoute";
/** Agents whose latest route the page asks for; more would be one request each. */
const MAX_ROUTE_AGENTS = 20;

export type Request = (method: string, params: Record<string, unknown>) => Promise<unknown>;

export interface RouteView {
  agentId: string;
  upstream: string | null;
  model: string | null;
  autorouted: boolean;
  capturedAt: string | null;
}

/** A table row: a group's figures, with the cause that lost it the most tokens. */
export type GroupRow = Figures;

export interface PageData {
  range: RangeId;
  /** The range's bounds (epoch ms) as the ledger resolved them, so charts span all of it. */
  from: number;
  to: number;
  totals: Figures;
  /** Oldest first, one per bucket that has calls. */
  series: Array<Figures & { at: number }>;
  /** Causes with lost tokens, most first. */
  causes: Array<{ cause: string; tokens: number; calls: number }>;
  /** Each cause that lost tokens with its missed cost and advice, most lost first. */
  advice: CauseView[];
  /** Agents whose cost a pricier autorouted route drives. */
  pricierRoutes: PricierRoute[];
  /** The cache geometry each model is accounted with, and its source (the CLI's lines). */
  geometry: ModelGeometry[];
  groups: Record<Grouping, GroupRow[]>;
  /** The keep-warm advice per agent and model; null when the ledger does not answer it. */
  keepWarm: KeepWarmGroup[] | null;
  /** null: the optimizer's method is not available on this gateway. */
  routes: RouteView[] | null;
}

async function report(request: Request, by: string, since: string): Promise<Report> {
  return readReport(await request(REPORT_METHOD, { by, since }));
}

const bucketTime = (key: string | null, index: number): number => {
  const parsed = key ? Date.parse(key) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : index;
};

export async function loadPageData(
  request: Request,
  range: RangeId,
  agentIds: readonly string[],
): Promise<PageData> {
  const bucket = RANGES.find((r) => r.id === range)?.bucket ?? "day";
  const [overTime, byCause, byAgent, byModel, byUpstream] = await Promise.all(
    [bucket, "cause", "agent", "model", "upstream"].map((by) => report(request, by, range)),
  );
  if (!overTime || !byCause || !byAgent || !byModel || !byUpstream)
    throw new Error("usage-ledger.report answered fewer reports than asked");
  const causes = byCause.rows
    .filter((row) => row.key !== null && row.lostTokens > 0)
    .map((row) => ({ cause: row.key ?? "", tokens: row.lostTokens, calls: row.calls }))
    .sort((a, b) => b.tokens - a.tokens);
  const agents = [
    ...new Set([...agentIds, ...byAgent.rows.flatMap((r) => (r.key ? [r.key] : []))]),
  ];
  return {
    range,
    from: Date.parse(overTime.since) || 0,
    to: Date.parse(overTime.until) || Date.now(),
    totals: byAgent.totals,
    series: overTime.rows
      .map((row, index) => ({ ...row, at: bucketTime(row.key, index) }))
      .sort((a, b) => a.at - b.at),
    causes,
    advice: byCause.causes,
    pricierRoutes: byAgent.pricierRoutes,
    geometry: byModel.cacheGeometry,
    groups: {
      agent: byAgent.rows,
      model: byModel.rows,
      upstream: byUpstream.rows,
    },
    keepWarm: await keepWarm(request, range),
    routes: await latestRoutes(request, agents.slice(0, MAX_ROUTE_AGENTS)),
  };
}

async function keepWarm(request: Request, since: RangeId): Promise<KeepWarmGroup[] | null> {
  try {
    return readKeepWarmGroups(await request(KEEP_WARM_METHOD, { since }));
  } catch {
    // A ledger from before the advisor: the card says it is unavailable.
    return null;
  }
}

const text = (record: Record<string, unknown>, key: string): string | null =>
  typeof record[key] === "string" ? (record[key] as string) : null;

async function latestRoutes(
  request: Request,
  agentIds: readonly string[],
): Promise<RouteView[] | null> {
  const routes: RouteView[] = [];
  for (const agentId of agentIds) {
    let answer: unknown;
    try {
      answer = await request(LAST_ROUTE_METHOD, { agentId });
    } catch {
      // The optimizer is not installed (or not enabled) on this gateway: no routes to show.
      return null;
    }
    if (typeof answer !== "object" || answer === null) continue;
    const route = (answer as Record<string, unknown>).route;
    if (typeof route !== "object" || route === null) continue;
    const r = route as Record<string, unknown>;
    routes.push({
      agentId,
      upstream: text(r, "upstream"),
      model: text(r, "autorouterModel") ?? text(r, "model"),
      autorouted: r.autorouted === true,
      capturedAt: text(r, "capturedAt"),
    });
  }
  return routes;
}
