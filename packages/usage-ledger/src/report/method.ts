import { errorText } from "@cloudsigma/taas-core/error-text";
import { quoted } from "@cloudsigma/taas-core/quoted";
import { isRecord } from "@cloudsigma/taas-core/records";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import type { GeometryResolver } from "../cache/geometry.ts";
import { reportToJson } from "./output.ts";
import { ReportOptionError, type ReportOptions, readReport, reportQuery } from "./read.ts";
import { reportNotes } from "./set-aside.ts";

export const REPORT_METHOD = "usage-ledger.report";

type GatewayHandler = Parameters<OpenClawPluginApi["registerGatewayMethod"]>[1];

export interface ReportMethodDeps {
  dbPath: () => string;
  /** Writes rows this process still holds in memory, so the report includes the latest calls. */
  flush: () => void;
  /** The accounting's geometry and its source per model, for the report's `cacheGeometry`. */
  geometry?: () => GeometryResolver;
}

/**
 * `usage-ledger.report` with params { by?, since?, until?, limit? } (the CLI's flags):
 * answers the same JSON as `openclaw usage-ledger report --json`.
 */
export function createReportHandler(deps: ReportMethodDeps): GatewayHandler {
  return function usageLedgerReport({ params, respond }) {
    let query: ReturnType<typeof reportQuery>;
    try {
      query = reportQuery(reportParams(params));
    } catch (error) {
      const message = errorText(error);
      respond(false, undefined, { code: "INVALID_REQUEST", message });
      return;
    }
    try {
      deps.flush();
      const path = deps.dbPath();
      const geometry = deps.geometry ? { ...query, resolve: deps.geometry() } : undefined;
      respond(true, {
        ...reportToJson(readReport(path, query)),
        ...reportNotes(path, geometry).json,
      });
    } catch (error) {
      const message =
        error instanceof ReportOptionError || error instanceof Error
          ? error.message
          : String(error);
      respond(false, undefined, {
        code: "UNAVAILABLE",
        message: `usage ledger unreadable: ${message}`,
      });
    }
  };
}

/** The params the method takes: the CLI's flags, by their long names. */
const REPORT_PARAMS = ["by", "since", "until", "limit", "agent"] as const satisfies ReadonlyArray<
  keyof ReportOptions
>;
const EXPECTED = `expects params {${REPORT_PARAMS.map((name) => `${name}?`).join(", ")}}`;

/**
 * The method's params as report options. A param it does not take is refused by name: a typo
 * (`group` for `by`) would otherwise answer the default report as if it had been asked for.
 */
export function reportParams(params: unknown): ReportOptions {
  if (params === undefined || params === null) return {};
  if (!isRecord(params)) throw new ReportOptionError(`${REPORT_METHOD} ${EXPECTED}`);
  const known = new Set<string>(REPORT_PARAMS);
  const unknown = Object.keys(params).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ReportOptionError(
      `${REPORT_METHOD} ${EXPECTED}; unknown param(s): ${quoted(unknown.join(", "))}`,
    );
  }
  return params;
}
