import { errorText } from "@cloudsigma/taas-core/error-text";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import type { GeometryResolver } from "../cache/geometry.ts";
import { CONFIG_SPEC, PLUGIN_ID } from "../config.ts";
import { scrub } from "../postgres/forwarder.ts";
import { readCentralReport } from "../postgres/report.ts";
import { TABLE_NAME } from "../postgres/schema.ts";
import { targetLabel } from "../postgres/target.ts";
import { REPORT_GROUPS } from "./groups.ts";
import { reportToCsv, reportToJson } from "./output.ts";
import type { LedgerReport, ReportQuery } from "./query.ts";
import { ReportOptionError, readReport, reportQuery } from "./read.ts";
import { type ReportNotes, reportNotes } from "./set-aside.ts";
import { reportToTable } from "./table.ts";

type CliRegistrar = Parameters<OpenClawPluginApi["registerCli"]>[0];
/** What the host hands a plugin's CLI registration: its commander program and loaded config. */
export type CliContext = Parameters<CliRegistrar>[0];
/** The plugin's own command (`openclaw usage-ledger`), for its other subcommands. */
export type CliRoot = ReturnType<CliContext["program"]["command"]>;

export const CLI_DESCRIPTOR = {
  name: PLUGIN_ID,
  description:
    "Usage ledger: tokens, cache reads/writes, cost, savings and cache misses by cause, per day, hour, agent, model, session or upstream",
  hasSubcommands: true,
};

const DEFAULT_TABLE = CONFIG_SPEC.postgres.fields.table.default;

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
  /** A central PostgreSQL ledger's URL (password from PGPASSWORD): a fleet report. */
  pg?: string;
  pgTable?: string;
  /** `postgres`: the central table the plugin's `postgres` section names. */
  source?: string;
}

export interface ReportIo {
  out: (text: string) => void;
  err: (text: string) => void;
  now?: number;
  /** The accounting's geometry per model, said under the report (local ledger only). */
  geometry?: GeometryResolver;
}

/** `openclaw usage-ledger report`: returns the exit code (0 ok, 2 bad flags, 1 ledger unreadable). */
export function runReportCommand(flags: ReportFlags, dbPath: string, io: ReportIo): number {
  const query = queryOf(flags, io, false);
  if (!query) return 2;
  let report: LedgerReport;
  try {
    report = readReport(dbPath, query);
  } catch (error) {
    io.err(`${PLUGIN_ID} report: cannot read ${dbPath}: ${errorText(error)}\n`);
    return 1;
  }
  const geometry = io.geometry ? { ...query, resolve: io.geometry } : undefined;
  print(report, flags, io, `Ledger: ${dbPath}`, reportNotes(dbPath, geometry));
  return 0;
}

/** `report --pg <url>`: the same report from the central table (exit codes as above). */
export async function runCentralReportCommand(
  flags: ReportFlags & { pg: string },
  io: ReportIo,
): Promise<number> {
  const query = queryOf(flags, io, true);
  if (!query) return 2;
  const table = flags.pgTable ?? DEFAULT_TABLE;
  let label: string;
  try {
    label = targetLabel(flags.pg, table);
    if (!TABLE_NAME.test(table)) throw new Error(`--pg-table must be a lower-case SQL identifier`);
  } catch (error) {
    io.err(`${PLUGIN_ID} report: ${errorText(error)}\n`);
    return 2;
  }
  let report: LedgerReport;
  try {
    report = await readCentralReport(flags.pg, table, query);
  } catch (error) {
    io.err(`${PLUGIN_ID} report: cannot read ${label}: ${scrub(errorText(error))}\n`);
    return 1;
  }
  print(report, flags, io, `Central ledger: ${label}`);
  return 0;
}

function queryOf(flags: ReportFlags, io: ReportIo, central: boolean): ReportQuery | undefined {
  if (flags.json && flags.csv) {
    io.err(`${PLUGIN_ID} report: choose one of --json and --csv\n`);
    return undefined;
  }
  try {
    const table = !flags.json && !flags.csv;
    const limit = flags.limit ?? (table ? String(TABLE_LIMIT) : undefined);
    const { by, since, until, agent } = flags;
    return reportQuery({ by, since, until, limit, agent }, io.now, central);
  } catch (error) {
    if (!(error instanceof ReportOptionError)) throw error;
    io.err(`${PLUGIN_ID} report: ${error.message}\n`);
    return undefined;
  }
}

function print(
  report: LedgerReport,
  flags: ReportFlags,
  io: ReportIo,
  source: string,
  notes: ReportNotes = { json: {}, text: "" },
): void {
  if (flags.json) {
    io.out(`${JSON.stringify({ ...reportToJson(report), ...notes.json }, null, 2)}\n`);
  } else if (flags.csv) {
    io.out(reportToCsv(report));
    if (notes.text) io.err(notes.text);
  } else io.out(`${reportToTable(report)}${source}\n${notes.text}`);
}

/** Where `--source postgres` reads: the configured central ledger, if any (may throw). */
export type CentralTargetLookup = () => { url: string; table: string } | undefined;

export function reportCli(
  defaultDbPath: () => string,
  central: CentralTargetLookup,
  more: (root: CliRoot, context: CliContext) => void = () => {},
  geometry?: (context: CliContext) => GeometryResolver,
): CliRegistrar {
  return (context) => {
    const root = context.program.command(PLUGIN_ID).description(CLI_DESCRIPTOR.description);
    more(root, context);
    root
      .command("report")
      .description("Grouped usage report from the ledger (table, --json or --csv)")
      .option("--by <group>", `${REPORT_GROUPS.join(" | ")} | gateway (--pg only)`, "day")
      .option("--since <when>", "start: 30m, 24h, 7d, 2w, an ISO date, or all", "7d")
      .option("--until <when>", "end (default now): a duration back from now or an ISO date")
      .option("--agent <id>", "only this agent's calls")
      .option("--limit <n>", `groups to show (table default ${TABLE_LIMIT}; JSON/CSV default all)`)
      .option("--json", "exact JSON (the same payload as the usage-ledger.report gateway method)")
      .option("--csv", "exact CSV, one line per group")
      .option("--db <path>", "ledger file (default: the configured dbPath under the state dir)")
      .option("--pg <url>", "report from the central PostgreSQL table (password: PGPASSWORD)")
      .option("--pg-table <name>", `central table (default ${DEFAULT_TABLE})`)
      .option("--source <where>", "local | postgres (the configured postgres section)", "local")
      .action(async (flags: ReportFlags) => {
        // Plugin CLI console output goes to stderr: results are written to stdout directly.
        const io = {
          out: (text: string) => process.stdout.write(text),
          err: (text: string) => process.stderr.write(text),
          ...(geometry ? { geometry: geometry(context) } : {}),
        };
        const code = await dispatch(flags, io);
        if (code !== 0) process.exitCode = code;
      });
    const dispatch = async (flags: ReportFlags, io: ReportIo): Promise<number> => {
      const source = flags.source ?? "local";
      if (source !== "local" && source !== "postgres") {
        io.err(
          `${PLUGIN_ID} report: --source must be local or postgres, got ${JSON.stringify(source)}\n`,
        );
        return 2;
      }
      if (flags.pg !== undefined) return runCentralReportCommand({ ...flags, pg: flags.pg }, io);
      if (source === "local") return runReportCommand(flags, flags.db ?? defaultDbPath(), io);
      let target: ReturnType<CentralTargetLookup>;
      try {
        target = central();
      } catch (error) {
        io.err(`${PLUGIN_ID} report: ${errorText(error)}\n`);
        return 2;
      }
      if (!target) {
        io.err(
          `${PLUGIN_ID} report: --source postgres needs the plugin's postgres config (or --pg <url>)\n`,
        );
        return 2;
      }
      return runCentralReportCommand(
        { ...flags, pg: target.url, pgTable: flags.pgTable ?? target.table },
        io,
      );
    };
  };
}
