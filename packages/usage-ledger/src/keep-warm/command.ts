import { errorText } from "@cloudsigma/taas-core/error-text";
import { PLUGIN_ID } from "../config.ts";
import type { CliRoot, ReportIo } from "../report/command.ts";
import { ReportOptionError, reportQuery } from "../report/read.ts";
import { groupLabel, groupLines } from "./advice-text.ts";
import type { KeepWarmAnswer } from "./advice-types.ts";
import { type AdvisorLookups, type AdvisorQuery, readKeepWarm } from "./read.ts";

/**
 * `openclaw usage-ledger advise`: the keep-warm advisor (advisor.ts) per agent and model, as
 * text or as the JSON the `usage-ledger.keepWarm` gateway method answers.
 */

export interface AdviseFlags {
  since?: string;
  until?: string;
  agent?: string;
  json?: boolean;
  db?: string;
}

/** The range and agent of an advice, validated as the report validates them. */
export function advisorQuery(
  options: { since?: unknown; until?: unknown; agent?: unknown },
  now?: number,
): AdvisorQuery {
  const { since, until, agent } = reportQuery({ ...options, by: "agent" }, now);
  return { since, until, ...(agent === undefined ? {} : { agent }) };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export function keepWarmToText(answer: KeepWarmAnswer): string {
  const head = `Keep warm, ${iso(answer.since)} .. ${iso(answer.until)}\n`;
  if (answer.groups.length === 0) return `${head}No calls with an affinity id in this range.\n`;
  return `${head}${answer.groups
    .map(
      (g) =>
        `\n${groupLabel(g)} (TTL ${g.ttlSeconds}s)\n${groupLines(g)
          .map((l) => `  ${l}\n`)
          .join("")}`,
    )
    .join("")}`;
}

/** Returns the exit code: 0 ok, 2 bad flags, 1 the ledger unreadable. */
export function runAdviseCommand(
  flags: AdviseFlags,
  dbPath: string,
  lookups: () => AdvisorLookups,
  io: ReportIo,
): number {
  let query: AdvisorQuery;
  try {
    query = advisorQuery(flags, io.now);
  } catch (error) {
    if (!(error instanceof ReportOptionError)) throw error;
    io.err(`${PLUGIN_ID} advise: ${error.message}\n`);
    return 2;
  }
  let answer: KeepWarmAnswer;
  try {
    answer = readKeepWarm(dbPath, query, lookups());
  } catch (error) {
    io.err(`${PLUGIN_ID} advise: cannot read ${dbPath}: ${errorText(error)}\n`);
    return 1;
  }
  io.out(
    flags.json
      ? `${JSON.stringify(answer, null, 2)}\n`
      : `${keepWarmToText(answer)}Ledger: ${dbPath}\n`,
  );
  return 0;
}

/** Adds `advise` under the plugin's CLI command. */
export function addAdviseCommand(
  root: CliRoot,
  defaultDbPath: () => string,
  lookups: () => AdvisorLookups,
): void {
  root
    .command("advise")
    .description(
      "Keep-warm advice per agent and model: idle gaps, what ttl_expired misses cost, and whether a ping before the cache TTL pays",
    )
    .option("--since <when>", "start: 30m, 24h, 7d, 2w, an ISO date, or all", "7d")
    .option("--until <when>", "end (default now): a duration back from now or an ISO date")
    .option("--agent <id>", "only this agent's calls")
    .option("--json", "exact JSON (the same payload as the usage-ledger.keepWarm gateway method)")
    .option("--db <path>", "ledger file (default: the configured dbPath under the state dir)")
    .action((flags: AdviseFlags) => {
      const io = {
        out: (text: string) => process.stdout.write(text),
        err: (text: string) => process.stderr.write(text),
      };
      const code = runAdviseCommand(flags, flags.db ?? defaultDbPath(), lookups, io);
      if (code !== 0) process.exitCode = code;
    });
}
