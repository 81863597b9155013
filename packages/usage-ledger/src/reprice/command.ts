import { existsSync } from "node:fs";
import type { DatabaseSync } from "node:sqlite";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { quoted } from "@cloudsigma/taas-core/quoted";
import { PLUGIN_ID } from "../config.ts";
import type { CliRoot, ReportIo } from "../report/command.ts";
import { parseSince, parseUntil, RangeParseError } from "../report/range.ts";
import { openLedgerForReading } from "../report/read.ts";
import { openLedger } from "../store/migrate.ts";
import { type RepriceScope, repriceLedger } from "./apply.ts";
import type { RepricePrices } from "./plan.ts";
import { repriceSummary } from "./summary.ts";

/**
 * `openclaw usage-ledger reprice`: a price set after calls were recorded reaches them. It runs
 * in the CLI process while the gateway may be writing: the ledger's busy timeout makes each
 * (short) transaction wait for the writer instead of failing.
 */

export interface RepriceFlags {
  since?: string;
  until?: string;
  model?: string;
  dryRun?: boolean;
  db?: string;
}

/** How long a chunk waits for the gateway's writer before giving up. */
const BUSY_TIMEOUT_MS = 15_000;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Returns the exit code: 0 done, 2 bad flags, 1 the ledger could not be read or written. */
export function runRepriceCommand(
  flags: RepriceFlags,
  dbPath: string,
  prices: () => RepricePrices,
  io: ReportIo,
): number {
  const fail = (text: string, code: number) => {
    io.err(`${PLUGIN_ID} reprice: ${text}\n`);
    return code;
  };
  const now = io.now ?? Date.now();
  let scope: RepriceScope;
  try {
    scope = scopeOf(flags, now);
  } catch (error) {
    if (!(error instanceof RangeParseError) && !(error instanceof FlagError)) throw error;
    return fail(error.message, 2);
  }
  if (!existsSync(dbPath)) return fail(`no ledger at ${dbPath} yet: nothing to reprice`, 1);
  const dryRun = flags.dryRun === true;
  let db: DatabaseSync | undefined;
  try {
    db = dryRun
      ? openLedgerForReading(dbPath)
      : openLedger(dbPath, { busyTimeoutMs: BUSY_TIMEOUT_MS });
    if (!db) return fail(`no ledger at ${dbPath} yet: nothing to reprice`, 1);
    const result = repriceLedger(db, scope, prices(), { dryRun, now });
    const range = `${scope.since === 0 ? "all time" : iso(scope.since)} .. ${flags.until ? iso(scope.until) : "now"}${scope.model ? `, model ${scope.model}` : ""}`;
    io.out(repriceSummary(result, { dryRun, range, ledger: dbPath }));
    return 0;
  } catch (error) {
    return fail(`cannot reprice ${dbPath}: ${errorText(error)}`, 1);
  } finally {
    db?.close();
  }
}

class FlagError extends Error {}

function scopeOf(flags: RepriceFlags, now: number): RepriceScope {
  const since = parseSince(flags.since ?? "all", now);
  const until = parseUntil(flags.until, now);
  if (since >= until) throw new FlagError("--since must be before --until");
  const model = flags.model?.trim();
  if (flags.model !== undefined && (!model || model.length > 256)) {
    throw new FlagError(`--model must be a model id such as gpt-5.5, got ${quoted(flags.model)}`);
  }
  return { since, until, ...(model ? { model } : {}) };
}

/** Adds `reprice` under the plugin's CLI command. */
export function addRepriceCommand(
  root: CliRoot,
  defaultDbPath: () => string,
  prices: () => RepricePrices,
): void {
  root
    .command("reprice")
    .description(
      "Price rows recorded without a (complete) price with the prices known now (config, then the gateway's listing); rows already priced never change",
    )
    .option("--since <when>", "start: 30m, 24h, 7d, 2w, an ISO date, or all", "all")
    .option("--until <when>", "end (default now): a duration back from now or an ISO date")
    .option("--model <id>", "only rows of this model (requested or routed to), e.g. gpt-5.5")
    .option("--dry-run", "print what would change and change nothing")
    .option("--db <path>", "ledger file (default: the configured dbPath under the state dir)")
    .action((flags: RepriceFlags) => {
      const io = {
        out: (text: string) => process.stdout.write(text),
        err: (text: string) => process.stderr.write(text),
      };
      const code = runRepriceCommand(flags, flags.db ?? defaultDbPath(), prices, io);
      if (code !== 0) process.exitCode = code;
    });
}
