// Fleet at scale: a real PostgreSQL on loopback (a throwaway data dir, started and stopped here),
// a bulk history generated server-side, then N live gateways forwarding their local ledgers
// concurrently through the forwarder library, then `report --pg` per --by over 1, 7 and 30 days
// (whole hours from the rollup, edges from raw rows) beside the same report read from raw rows
// only. Prints rows/s, latencies, table and index sizes, and checks the rollup against the raw
// rows. Flags: --rows N (history, default 50,000,000), --gateways N (whose history, 200), --live N
// (live forwarders, 200), --live-rows N (rows each, 500). E.g. npm run bench -- fleet --rows 5000000
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { startPostgres } from "../e2e/harness/postgres.ts";
import {
  prepareCentralTable,
  tableLockKey,
} from "../packages/usage-ledger/src/postgres/central-table.ts";
import { writeGatewayLedger } from "../packages/usage-ledger/src/postgres/fleet.test-support.ts";
import { LedgerForwarder } from "../packages/usage-ledger/src/postgres/forwarder.ts";
import {
  createPartitions,
  dayOf,
  lockTable,
} from "../packages/usage-ledger/src/postgres/partitions.ts";
import { readCentralReport } from "../packages/usage-ledger/src/postgres/report.ts";
import { ROLLUP_LEVELS, rollupTable } from "../packages/usage-ledger/src/postgres/rollup.ts";
import { postgresSink } from "../packages/usage-ledger/src/postgres/sink.ts";
import {
  CENTRAL_REPORT_GROUPS,
  DAY_MS,
  HOUR_MS,
} from "../packages/usage-ledger/src/report/groups.ts";
import { rawSumsSql, rollupSumsSql } from "../packages/usage-ledger/src/report/totals.ts";
import { historySql } from "./fleet-history.ts";
import { printTable } from "./table.ts";

const TABLE = "usage_ledger_rows";
const SPANS = [1, 7, 30] as const;
const CHUNK = 1_000_000;

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
  return value;
}

const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const mb = (bytes: unknown) => `${(Number(bytes) / 1024 / 1024).toFixed(0)} MB`;
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000)).toLocaleString("en");

export async function run(): Promise<void> {
  const rows = flag("rows", 50_000_000);
  const gateways = flag("gateways", 200);
  const live = flag("live", 200);
  const liveRows = flag("live-rows", 500);
  console.log(
    `fleet: ${rows.toLocaleString("en")} historical rows of ${gateways} gateways over 30 days, then ${live} live forwarders x ${liveRows} rows`,
  );
  const pg = await startPostgres({
    max_connections: String(live + 20),
    shared_buffers: "1GB",
    work_mem: "64MB",
    maintenance_work_mem: "512MB",
    max_wal_size: "8GB",
    synchronous_commit: "off",
  });
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  const dir = mkdtempSync(join(tmpdir(), "fleet-bench-"));
  try {
    const now = Date.now();
    await prepareCentralTable(sql, TABLE, now);
    await bulkHistory(sql, rows, gateways, now);
    await liveForwarders(pg.url, dir, live, liveRows, now);
    await sql.unsafe(
      `ANALYZE ${[TABLE, ...Object.values(ROLLUP_LEVELS).map((l) => rollupTable(TABLE, l))].join(", ")}`,
    );
    await sizes(sql);
    await reports(pg.url, Date.now());
  } finally {
    await sql.end({ timeout: 2 });
    await pg.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The history, in chunks of a million rows (each one statement: rows and their rollup). */
async function bulkHistory(sql: postgres.Sql, rows: number, gateways: number, now: number) {
  if (rows === 0) return;
  const start = now - 30 * DAY_MS;
  const stepS = (30 * DAY_MS) / rows / 1000;
  await sql.begin(async (tx) => {
    await lockTable(tx, tableLockKey(TABLE));
    const days = [];
    for (let day = dayOf(start); day <= dayOf(now); day++) days.push(day);
    await createPartitions(tx, TABLE, days);
  });
  const text = historySql(TABLE);
  const began = performance.now();
  for (let first = 0; first < rows; first += CHUNK) {
    const last = Math.min(rows, first + CHUNK) - 1;
    await sql.unsafe(text, [first, last, gateways, start / 1000, stepS]);
    const done = last + 1;
    if (done % (10 * CHUNK) === 0 || done === rows) {
      console.log(
        `  history: ${done.toLocaleString("en")} rows, ${rate(done, performance.now() - began)} rows/s`,
      );
    }
  }
  const ms = performance.now() - began;
  printTable(
    "Bulk history (server-side generate_series through the forwarders' insert-and-rollup statement)",
    ["rows", "seconds", "rows/s"],
    [[rows.toLocaleString("en"), seconds(ms), rate(rows, ms)]],
  );
}

/** N gateways, each a local SQLite ledger and its forwarder, all sending at once. */
async function liveForwarders(url: string, dir: string, live: number, each: number, now: number) {
  if (live === 0) return;
  const fleet = Array.from({ length: live }, (_, i) => {
    const gateway = `live-${String(i).padStart(3, "0")}`;
    const path = writeGatewayLedger(join(dir, `${gateway}.sqlite`), {
      gateway,
      count: each,
      start: now - HOUR_MS,
      spanMs: HOUR_MS,
    });
    return new LedgerForwarder({
      ledgerPath: path,
      target: `bench#${TABLE}`,
      gatewayId: gateway,
      sink: postgresSink({ url, table: TABLE }),
      batchSize: 500,
      intervalMs: 1_000,
      maxBatchesPerTick: 1_000,
      logger: { warn: (m) => console.log(`  ${gateway}: ${m}`) },
    });
  });
  const began = performance.now();
  await Promise.all(fleet.map((forwarder) => forwarder.tick()));
  const ms = performance.now() - began;
  await Promise.all(fleet.map((forwarder) => forwarder.stop()));
  printTable(
    `Live forwarders (${live} gateways, batches of 500, one connection each)`,
    ["rows", "seconds", "rows/s"],
    [[(live * each).toLocaleString("en"), seconds(ms), rate(live * each, ms)]],
  );
}

async function sizes(sql: postgres.Sql) {
  const [raw] = await sql.unsafe(`SELECT count(*) AS partitions,
      sum(pg_relation_size(relid)) AS heap, sum(pg_indexes_size(relid)) AS indexes
    FROM pg_partition_tree('${TABLE}') WHERE isleaf`);
  const rollups = [];
  for (const level of Object.values(ROLLUP_LEVELS)) {
    const name = rollupTable(TABLE, level);
    const [size] = await sql.unsafe(`SELECT pg_relation_size('${name}') AS heap,
        pg_indexes_size('${name}') AS indexes, (SELECT count(*) FROM ${name}) AS rows`);
    rollups.push([
      name,
      Number(size?.rows).toLocaleString("en"),
      "-",
      mb(size?.heap),
      mb(size?.indexes),
    ]);
  }
  const [rawCount] = await sql.unsafe(`SELECT count(*) AS n FROM ${TABLE}`);
  printTable(
    "Sizes",
    ["table", "rows", "partitions", "heap", "indexes"],
    [
      [
        TABLE,
        Number(rawCount?.n).toLocaleString("en"),
        String(raw?.partitions),
        mb(raw?.heap),
        mb(raw?.indexes),
      ],
      ...rollups,
    ],
  );
  const [a] = await sql.unsafe(`SELECT ${rawSumsSql()} FROM ${TABLE}`);
  for (const level of Object.values(ROLLUP_LEVELS)) {
    const [b] = await sql.unsafe(`SELECT ${rollupSumsSql()} FROM ${rollupTable(TABLE, level)}`);
    const same = JSON.stringify(a) === JSON.stringify(b);
    console.log(
      `${rollupTable(TABLE, level)} totals == raw totals (every total): ${same ? "yes" : "NO"}`,
    );
    if (!same) throw new Error(`rollup and raw totals differ: ${JSON.stringify({ a, b })}`);
  }
}

/** Each --by over each span, rollup path beside the raw path, and their totals compared. */
async function reports(url: string, now: number) {
  const rows: string[][] = [];
  for (const by of CENTRAL_REPORT_GROUPS) {
    for (const days of SPANS) {
      const query = { by, since: now - days * DAY_MS, until: now };
      const t0 = performance.now();
      const split = await readCentralReport(url, TABLE, query);
      const t1 = performance.now();
      const raw = await readCentralReport(url, TABLE, query, { rawOnly: true });
      const t2 = performance.now();
      const same = JSON.stringify(split.totals) === JSON.stringify(raw.totals);
      if (!same) throw new Error(`--by ${by} over ${days} d: rollup and raw totals differ`);
      rows.push([
        by,
        `${days} d`,
        split.rows.length.toLocaleString("en"),
        seconds(t1 - t0),
        seconds(t2 - t1),
        same ? "yes" : "NO",
      ]);
    }
  }
  printTable(
    "report --pg latency (s): whole days and hours from the rollups, edges from raw rows (--by session: raw only), beside a raw-table scan",
    ["--by", "span", "groups", "report", "raw scan", "same totals"],
    rows,
  );
}
