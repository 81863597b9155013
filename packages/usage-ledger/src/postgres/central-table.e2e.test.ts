import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPostgres, startPostgres } from "../../../../e2e/harness/index.ts";
import { useTempDirs } from "../../../../test-support/temp-dirs.ts";
import { CENTRAL_REPORT_GROUPS, DAY_MS, HOUR_MS } from "../report/groups.ts";
import { readReport } from "../report/read.ts";
import { addTotals, emptyTotals, type ReportTotals, rollupSumsSql } from "../report/totals.ts";
import { openLedger } from "../store/migrate.ts";
import { prepareCentralTable } from "./central-table.ts";
import { localTotals, writeGatewayLedger } from "./fleet.test-support.ts";
import { type CentralSink, LedgerForwarder, readMark } from "./forwarder.ts";
import { readCentralReport } from "./report.ts";
import { ROLLUP_LEVELS, rollupTable } from "./rollup.ts";
import { CENTRAL_COLUMNS, centralTableSql, PG_SCHEMA_VERSION } from "./schema.ts";
import { postgresSink, type SinkOptions } from "./sink.ts";

/*
 * The central table against a real PostgreSQL, driven through the forwarder library (no
 * gateway): partitions, the hourly rollup, the in-place migration of an unpartitioned table, and
 * exactly-once storage under the faults a fleet meets.
 */

const tempDir = useTempDirs("central-table");
const ALL = { since: 0, until: 8_000_000_000_000 };
const DAY0 = Date.UTC(2026, 10, 1);

const sumOf = (list: ReportTotals[]): ReportTotals => {
  const sum = emptyTotals();
  for (const totals of list) addTotals(sum, totals);
  return sum;
};

describe("central table on a real PostgreSQL", () => {
  let pg: RunningPostgres;
  let sql: ReturnType<typeof postgres>;
  const logs: string[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    sql = postgres(pg.url, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 2 });
    await pg?.remove();
  });

  const forwarder = (path: string, gatewayId: string, table: string, options?: SinkOptions) =>
    new LedgerForwarder({
      ledgerPath: path,
      target: `central#${table}`,
      gatewayId,
      sink: postgresSink({ url: pg.url, table }, options),
      batchSize: 200,
      intervalMs: 1_000,
      maxBatchesPerTick: 1_000,
      logger: { warn: (m) => logs.push(m) },
    });
  const gateway = (name: string, count: number, start = DAY0, spanMs = 3 * DAY_MS) =>
    writeGatewayLedger(join(tempDir(), `${name}.sqlite`), { gateway: name, count, start, spanMs });
  /** Raw-row totals of the central table (the report's raw path), optionally one gateway's. */
  const rawTotals = async (table: string) =>
    (await readCentralReport(pg.url, table, { by: "gateway", ...ALL }, { rawOnly: true })).totals;
  /** The hourly and the daily rollup's totals over all time. */
  const rollupTotals = async (table: string): Promise<ReportTotals[]> => {
    const levels = [];
    for (const level of Object.values(ROLLUP_LEVELS)) {
      const totals = emptyTotals();
      const [row] = await sql.unsafe<Array<Record<string, unknown>>>(
        `SELECT ${rollupSumsSql()} FROM ${rollupTable(table, level)}`,
      );
      addTotals(totals, row ?? {});
      levels.push(totals);
    }
    return levels;
  };
  const markOf = (path: string, table: string) => {
    const db = openLedger(path);
    try {
      return readMark(db, `central#${table}`);
    } finally {
      db.close();
    }
  };
  const rowCount = async (table: string) =>
    Number((await sql.unsafe(`SELECT count(*) AS n FROM ${table}`))[0]?.n);

  /**
   * The layout plugins before version 3 created (one plain table keyed by gateway and event;
   * version 1 without `beyond_plateau_tokens`), filled by forwarding `path` as they did.
   */
  const forwardToOldTable = async (table: string, version: 1 | 2, path: string) => {
    await sql.unsafe(
      centralTableSql(table)
        .replace("PRIMARY KEY (gateway_id, event_id, ts)", "PRIMARY KEY (gateway_id, event_id)")
        .replace(") PARTITION BY RANGE (ts);", ");"),
    );
    const columns = CENTRAL_COLUMNS.filter(
      (name) => version === 2 || name !== "beyond_plateau_tokens",
    );
    if (version === 1) await sql.unsafe(`ALTER TABLE ${table} DROP COLUMN beyond_plateau_tokens`);
    await sql`CREATE TABLE IF NOT EXISTS usage_ledger_schema (table_name text PRIMARY KEY, version integer NOT NULL, updated_at timestamptz NOT NULL)`;
    await sql`INSERT INTO usage_ledger_schema VALUES (${table}, ${version}, now())`;
    const plain: CentralSink = {
      prepare: async () => {},
      insert: async (rows) => {
        await sql`INSERT INTO ${sql(table)} ${sql(rows, ...columns)}`;
      },
      close: async () => {},
    };
    await new LedgerForwarder({
      ledgerPath: path,
      target: `central#${table}`,
      gatewayId: "gw-old",
      sink: plain,
      batchSize: 200,
      intervalMs: 1_000,
      maxBatchesPerTick: 1_000,
      logger: { warn: (m) => logs.push(m) },
    }).tick();
  };

  it("migrates a version 1 table in place: its rows kept once, the added column unknown", async () => {
    const table = "fleet_v1";
    const path = gateway("gw-old", 500);
    await forwardToOldTable(table, 1, path);
    await prepareCentralTable(sql, table);
    const [kind] = await sql`SELECT relkind FROM pg_class WHERE oid = to_regclass(${table})`;
    expect(kind?.relkind).toBe("p");
    expect(await rowCount(table)).toBe(500);
    // Rows forwarded before the column existed have it NULL: they add nothing to its total.
    const local = { ...localTotals(path), beyondPlateauTokens: 0 };
    expect(await rawTotals(table)).toEqual(local);
    expect(await rollupTotals(table)).toEqual([local, local]);
  });

  it("migrates an unpartitioned table in place: every row kept once, the rollup filled", async () => {
    const table = "fleet_v2";
    const path = gateway("gw-old", 900);
    await forwardToOldTable(table, 2, path);
    expect(await rowCount(table)).toBe(900);

    // The upgraded plugin's forwarder: prepares (migrates) and resends nothing new.
    writeGatewayLedger(path, {
      gateway: "gw-old",
      count: 100,
      from: 900,
      start: DAY0 + 4 * DAY_MS,
    });
    const upgraded = forwarder(path, "gw-old", table);
    await upgraded.tick();
    await upgraded.stop();
    const [kind] = await sql`SELECT relkind FROM pg_class WHERE oid = to_regclass(${table})`;
    expect(kind?.relkind).toBe("p");
    expect(await rowCount(table)).toBe(1_000);
    const [dupes] = await sql.unsafe(
      `SELECT count(*) - count(DISTINCT event_id) AS n FROM ${table}`,
    );
    expect(Number(dupes?.n)).toBe(0);
    const local = localTotals(path);
    expect(await rawTotals(table)).toEqual(local);
    expect(await rollupTotals(table)).toEqual([local, local]);
    const [version] =
      await sql`SELECT version FROM usage_ledger_schema WHERE table_name = ${table}`;
    expect(version?.version).toBe(PG_SCHEMA_VERSION);
    expect(await sql`SELECT 1 FROM pg_class WHERE relname = ${`${table}_unpartitioned`}`).toEqual(
      [],
    );
  });

  it("two forwarders racing to create the same day partitions both land every row once", async () => {
    const table = "fleet_race";
    const paths = [gateway("gw-a", 1_500), gateway("gw-b", 1_500)];
    const [a, b] = [
      forwarder(paths[0] ?? "", "gw-a", table),
      forwarder(paths[1] ?? "", "gw-b", table),
    ];
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.stop(), b.stop()]);
    expect(logs.filter((m) => m.includes(table))).toEqual([]);
    const local = sumOf(paths.map(localTotals));
    expect(await rawTotals(table)).toEqual(local);
    expect(await rollupTotals(table)).toEqual([local, local]);
    const parts =
      await sql`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = ${table}::regclass AND c.relname LIKE ${`${table}_p2026110%`}`;
    // A report with partial hours at its ends equals the two gateways' own reports of that range.
    const range = { by: "model" as const, since: DAY0 + 90 * 60_000, until: DAY0 + DAY_MS + 1_000 };
    expect((await readCentralReport(pg.url, table, range)).totals).toEqual(
      sumOf(paths.map((path) => readReport(path, range).totals)),
    );
    expect(parts.map((p) => p.relname).sort()).toEqual([
      `${table}_p20261101`,
      `${table}_p20261102`,
      `${table}_p20261103`,
    ]);
  });

  it("PostgreSQL killed mid-batch and restarted, then the last batch resent: each row counted once", async () => {
    const table = "fleet_crash";
    const path = gateway("gw-c", 8_000);
    const fwd = forwarder(path, "gw-c", table);
    const first = fwd.tick();
    // Kill it once some batches have committed, while the forwarder is still sending.
    const deadline = Date.now() + 20_000;
    while (markOf(path, table) < 600 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await pg.kill();
    await first;
    const sentBefore = markOf(path, table);
    expect(sentBefore).toBeGreaterThan(0);
    expect(sentBefore).toBeLessThan(8_000);
    expect(logs.some((m) => m.includes(`central#${table} failed`))).toBe(true);
    await pg.start();
    while (markOf(path, table) < 8_000) await fwd.tick();
    const local = localTotals(path);
    expect(await rawTotals(table)).toEqual(local);
    expect(await rollupTotals(table)).toEqual([local, local]);

    // As if the last commit's answer was lost: the mark moves back and the batches go again.
    const db = openLedger(path);
    db.prepare("UPDATE forward_marks SET last_id = last_id - 450").run();
    db.close();
    await fwd.tick();
    await fwd.stop();
    expect(markOf(path, table)).toBe(8_000);
    expect(await rawTotals(table)).toEqual(local);
    expect(await rollupTotals(table)).toEqual([local, local]);
  });

  it("a report over whole hours and days reads the rollups and equals the raw rows, for every --by", async () => {
    const table = "fleet_race";
    // Partial hours at both ends, whole hours and days between.
    const since = DAY0 + 5 * HOUR_MS + 17 * 60_000;
    const until = DAY0 + 2 * DAY_MS + 9 * HOUR_MS + 41 * 60_000;
    for (const by of CENTRAL_REPORT_GROUPS) {
      for (const agent of [undefined, "agent-1"]) {
        const query = { by, since, until, ...(agent ? { agent } : {}) };
        const split = await readCentralReport(pg.url, table, query);
        const raw = await readCentralReport(pg.url, table, query, { rawOnly: true });
        expect(split, `--by ${by} --agent ${agent}`).toEqual(raw);
        expect(split.totals.calls).toBeGreaterThan(0);
      }
    }
  });

  it("retentionDays drops whole day partitions and the rollup's hours, and skips older rows", async () => {
    const table = "fleet_retention";
    const path = gateway("gw-r", 1_400, DAY0, 7 * DAY_MS);
    let now = DAY0 + 6 * DAY_MS + 12 * HOUR_MS;
    const fwd = forwarder(path, "gw-r", table, { retentionDays: 3, now: () => now });
    await fwd.tick();
    const days = async () =>
      (
        await sql`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = ${table}::regclass ORDER BY 1`
      ).map((p) => String(p.relname).slice(-8));
    expect(await days()).toEqual(["20261104", "20261105", "20261106", "20261107", "20261108"]);
    const kept = { by: "day" as const, since: DAY0 + 3 * DAY_MS, until: ALL.until };
    const local = readReport(path, kept).totals;
    expect(await rawTotals(table)).toEqual(local);
    expect(await rollupTotals(table)).toEqual([local, local]);

    // A day later the next forwarding pass drops one more day, raw and rollup alike.
    now += DAY_MS;
    writeGatewayLedger(path, { gateway: "gw-r", count: 10, from: 1_400, start: now - HOUR_MS });
    await fwd.tick();
    await fwd.stop();
    expect((await days())[0]).toBe("20261105");
    const later = readReport(path, { ...kept, since: DAY0 + 4 * DAY_MS }).totals;
    expect(await rawTotals(table)).toEqual(later);
    expect(await rollupTotals(table)).toEqual([later, later]);
  });
});
