import type { IncomingMessage, ServerResponse } from "node:http";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { openLedgerForReading } from "../report/read.ts";
import { type AggregateOptions, LedgerCounters } from "./aggregate.ts";
import { CONTENT_TYPE, formatMetrics } from "./format.ts";

/** Where Prometheus scrapes a gateway; the host serves it behind gateway auth. */
export const METRICS_PATH = "/usage-ledger/metrics";

export interface MetricsRouteOptions extends AggregateOptions {
  dbPath: () => string;
  /**
   * Scrapes closer together than this answer the previous text: several Prometheus servers (or
   * a dashboard refresh) cannot make the gateway read its ledger more often than this.
   */
  minIntervalMs?: number;
  warn: (message: string) => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The route handler: counters from the ledger file, re-read at most once per interval. */
export function metricsHandler(options: MetricsRouteOptions): Handler {
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  const now = options.now ?? Date.now;
  let counters = new LedgerCounters(options);
  let countedPath: string | undefined;
  let cached: { text: string; at: number } | undefined;

  const render = (): string => {
    const path = options.dbPath();
    if (path !== countedPath) {
      counters = new LedgerCounters(options);
      countedPath = path;
    }
    const db = openLedgerForReading(path);
    if (!db) return formatMetrics([], 0);
    try {
      const unread = counters.refresh(db);
      return formatMetrics(counters.series(), unread);
    } finally {
      db.close();
    }
  };

  return function serveMetrics(req, res) {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    try {
      if (!cached || now() - cached.at >= minIntervalMs) cached = { text: render(), at: now() };
    } catch (error) {
      options.warn(`metrics: could not read the ledger (${errorText(error)}); answering 503`);
      res
        .writeHead(503, { "content-type": "text/plain; charset=utf-8" })
        .end("ledger unavailable\n");
      return true;
    }
    res.writeHead(200, { "content-type": CONTENT_TYPE, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : cached.text);
    return true;
  };
}
