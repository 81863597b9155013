import { errorText } from "@cloudsigma/taas-core/error-text";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { reportToJson } from "./output.ts";
import { ReportOptionError, readReport, reportQuery } from "./read.ts";
import { reportNotes } from "./set-aside.ts";

export const REPORT_METHOD = "usage-ledger.report";

type GatewayHandler = Parameters<OpenClawPluginApi["registerGatewayMethod"]>[1];

export interface ReportMethodDeps {
  dbPath: () => string;
  /** Writes rows this process still holds in memory, so the report includes the latest calls. */
  flush: () => void;
}

/**
 * `usage-ledger.report` with params { by?, since?, until?, limit? } (the CLI's flags):
 * answers the same JSON as `openclaw usage-ledger report --json`.
 */
export function createReportHandler(deps: ReportMethodDeps): GatewayHandler {
  return function usageLedgerReport({ params, respond }) {
    let query: ReturnType<typeof reportQuery>;
    try {
      query = reportQuery(params ?? {});
    } catch (error) {
      const message = errorText(error);
      respond(false, undefined, { code: "INVALID_REQUEST", message });
      return;
    }
    try {
      deps.flush();
      const path = deps.dbPath();
      respond(true, { ...reportToJson(readReport(path, query)), ...reportNotes(path).json });
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
