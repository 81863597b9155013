import { errorText } from "@cloudsigma/taas-core/error-text";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { PLUGIN_ID } from "./config.ts";
import { REPORT_GROUPS } from "./ledger-report.ts";
import { ReportOptionError, readReport, reportQuery } from "./read-report.ts";
import { reportToCsv, reportToJson, reportToTable } from "./report-output.ts";

type CliRegistrar = Parameters<OpenClawPluginApi["registerCli"]>[0];

export const CLI_DESCRIPTOR = {
  name: PLUGIN_ID,
  description:
    "Usage ledger: tokens, cache reads/writes, cost, savings and cache misses by cause, per day, hour, agent, model, session or upstream",
  hasSubcommands: true,
};

/** Rows a table shows unless --limit says otherwise (JSON and CSV print every group). */
const TABLE_LIMIT = 50;

export interface ReportFlags {
  by?: string;
  since?: string;
  until?: string;
  limit?: string;
  agent?: string;
  json?: boolean;
  csv?: boolean;
  db?: string;
}

export interface ReportIo {
  out: (text: string) => void;
  err: (text: string) => void;
  now?: number;
}

/** `openclaw usage-ledger report`: returns the exit code (0 ok, 2 bad flags, 1 ledger unreadable). */
export function runReportCommand(flags: ReportFlags, dbPath: string, io: ReportIo): number {
  if (flags.json && flags.csv) {
    io.err(`${PLUGIN_ID} report: choose one of --json and --csv\n`);
    return 2;
  }
  let query: ReturnType<typeof reportQuery>;
  try {
    const table = !flags.json && !flags.csv;
    const limit = flags.limit ?? (table ? String(TABLE_LIMIT) : undefined);
    const { by, since, until, agent } = flags;
    query = reportQuery({ by, since, until, limit, agent }, io.now);
  } catch (error) {
    if (!(error instanceof ReportOptionError)) throw error;
    io.err(`${PLUGIN_ID} report: ${error.message}\n`);
    return 2;
  }
  let report: ReturnType<typeof readReport>;
  try {
    report = readReport(dbPath, query);
  } catch (error) {
    io.err(`${PLUGIN_ID} report: cannot read ${dbPath}: ${errorText(error)}\n`);
    return 1;
  }
  if (flags.json) io.out(`${JSON.stringify(reportToJson(report), null, 2)}\n`);
  else if (flags.csv) io.out(reportToCsv(report));
  else io.out(`${reportToTable(report)}Ledger: ${dbPath}\n`);
  return 0;
}

export function reportCli(defaultDbPath: () => string): CliRegistrar {
  return ({ program }) => {
    const root = program.command(PLUGIN_ID).description(CLI_DESCRIPTOR.description);
    root
      .command("report")
      .description("Grouped usage report from the ledger (table, --json or --csv)")
      .option("--by <group>", REPORT_GROUPS.join(" | "), "day")
      .option("--since <when>", "start: 30m, 24h, 7d, 2w, an ISO date, or all", "7d")
      .option("--until <when>", "end (default now): a duration back from now or an ISO date")
      .option("--agent <id>", "only this agent's calls")
      .option("--limit <n>", `groups to show (table default ${TABLE_LIMIT}; JSON/CSV default all)`)
      .option("--json", "exact JSON (the same payload as the usage-ledger.report gateway method)")
      .option("--csv", "exact CSV, one line per group")
      .option("--db <path>", "ledger file (default: the configured dbPath under the state dir)")
      .action((flags: ReportFlags) => {
        // Plugin CLI console output goes to stderr: results are written to stdout directly.
        const code = runReportCommand(flags, flags.db ?? defaultDbPath(), {
          out: (text) => process.stdout.write(text),
          err: (text) => process.stderr.write(text),
        });
        if (code !== 0) process.exitCode = code;
      });
  };
}
