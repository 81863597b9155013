import { existsSync } from "node:fs";
import type { DatabaseSync } from "node:sqlite";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { quoted } from "@cloudsigma/taas-core/quoted";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import { LEDGER_SCHEMA_VERSION, ledgerVersion, openLedger } from "../store/migrate.ts";
import { CENTRAL_REPORT_GROUPS, isCentralReportGroup, REPORT_GROUPS } from "./groups.ts";
import { type LedgerReport, queryLedgerReport, type ReportQuery } from "./query.ts";
import { parseSince, parseUntil } from "./range.ts";
import { emptyTotals } from "./totals.ts";

export interface ReportOptions {
  by?: unknown;
  since?: unknown;
  until?: unknown;
  limit?: unknown;
  agent?: unknown;
}

export class ReportOptionError extends Error {
  override name = "ReportOptionError";
}

/**
 * Validates report options (CLI flags or gateway params) into a query. `central`: the query
 * reads the central PostgreSQL table, which also groups by gateway.
 */
export function reportQuery(
  options: ReportOptions,
  now = Date.now(),
  central = false,
): ReportQuery {
  const by = options.by ?? "day";
  if (!central && by === "gateway") {
    throw new ReportOptionError(
      "--by gateway is a fleet report: add --pg <url> or --source postgres (a local ledger holds one gateway)",
    );
  }
  if (!isCentralReportGroup(by)) {
    const groups = central ? CENTRAL_REPORT_GROUPS : REPORT_GROUPS;
    throw new ReportOptionError(`--by must be one of ${groups.join(", ")}, got ${quoted(by)}`);
  }
  const since = options.since ?? "7d";
  if (typeof since !== "string") throw new ReportOptionError("--since must be a string such as 7d");
  if (options.until !== undefined && typeof options.until !== "string") {
    throw new ReportOptionError("--until must be a string such as 1d or an ISO date");
  }
  const limit = options.limit === undefined ? 0 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 0) {
    throw new ReportOptionError(
      `--limit must be a whole number >= 0, got ${quoted(options.limit)}`,
    );
  }
  const agent = options.agent;
  if (agent !== undefined && (typeof agent !== "string" || agent.length > 128)) {
    throw new ReportOptionError("--agent must be an agent id (at most 128 characters)");
  }
  try {
    const query = {
      by,
      since: parseSince(since, now),
      until: parseUntil(options.until, now),
      limit,
      ...(agent === undefined ? {} : { agent }),
    };
    if (query.since >= query.until) throw new ReportOptionError("--since must be before --until");
    return query;
  } catch (error) {
    if (error instanceof ReportOptionError) throw error;
    throw new ReportOptionError(errorText(error));
  }
}

/**
 * Reads a report from the ledger file (read-only; a ledger not created yet reads as empty). A
 * ledger of an older layout (the gateway has not written to it since the upgrade) is brought
 * to the current one first, as the writer would on its next batch.
 */
export function readReport(path: string, query: ReportQuery): LedgerReport {
  const empty: LedgerReport = {
    ...query,
    rows: [],
    totals: emptyTotals(),
    omitted: 0,
    causes: [],
    pricierRoutes: [],
  };
  const db = openLedgerForReading(path);
  if (!db) return empty;
  try {
    const tables = db
      .prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'usage_hourly'")
      .get();
    if (Number(tables?.n ?? 0) === 0) return empty;
    return queryLedgerReport(db, query);
  } finally {
    db.close();
  }
}

/**
 * A read-only connection to the ledger at the current schema version, or undefined when the
 * file does not exist yet. A ledger last written by an older plugin is upgraded in place first.
 */
export function openLedgerForReading(path: string): DatabaseSync | undefined {
  if (!existsSync(path)) return undefined;
  const db = openDatabase(path, { readOnly: true, busyTimeoutMs: 2_000 });
  if (ledgerVersion(db) >= LEDGER_SCHEMA_VERSION) return db;
  db.close();
  openLedger(path, { busyTimeoutMs: 2_000 }).close();
  return openDatabase(path, { readOnly: true, busyTimeoutMs: 2_000 });
}
