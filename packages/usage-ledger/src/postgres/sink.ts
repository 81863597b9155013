import postgres from "postgres";
import { PLUGIN_ID } from "../config.ts";
import { daysAhead, prepareCentralTable, tableLockKey } from "./central-table.ts";
import type { CentralSink } from "./forwarder.ts";
import { createPartitions, dayOf, dropDaysBefore, lockTable } from "./partitions.ts";
import { addToRollupsSql } from "./rollup.ts";
import { CENTRAL_COLUMNS, type CentralValue } from "./schema.ts";

/*
 * The central table through the `postgres` client (porsager/postgres: no dependencies, so it
 * bundles into dist/index.js as one module). One connection, short timeouts: a forwarder that
 * cannot reach PostgreSQL gives up the tick and retries later, it never waits long.
 */

export interface PgConnection {
  /** The connection URL; its password, if any, comes from the environment, never the config. */
  url: string;
  table: string;
}

export type PgClient = ReturnType<typeof postgres>;

export function connectPostgres(url: string): PgClient {
  return postgres(url, {
    max: 1,
    connect_timeout: 10,
    idle_timeout: 60,
    max_lifetime: 30 * 60,
    // The central table has no notices worth the gateway log.
    onnotice: () => {},
    connection: { application_name: `openclaw-${PLUGIN_ID}` },
  });
}

export interface SinkOptions {
  /** Drop day partitions older than this many days, and do not send rows older (0: keep all). */
  retentionDays?: number;
  now?: () => number;
  logger?: { info?(message: string): void };
}

/**
 * The central table as a forwarder's sink. Each batch is one statement: the rows inserted with
 * ON CONFLICT DO NOTHING, and only those that were stored (RETURNING) summed into the hourly
 * and daily rollups, so the rollup cannot count a resent row twice nor miss a stored one. Partitions for
 * the batch's days are made first, once per day per process; once a day the same pass drops
 * the days past retention.
 */
export function postgresSink(connection: PgConnection, options: SinkOptions = {}): CentralSink {
  const now = options.now ?? Date.now;
  const retentionDays = options.retentionDays ?? 0;
  let sql: PgClient | undefined;
  const client = () => {
    sql ??= connectPostgres(connection.url);
    return sql;
  };
  const table = connection.table;
  /** Days whose partition this process has made or seen made. */
  const known = new Set<number>();
  let maintainedDay = Number.NaN;

  const maintain = async (days: number[], today: number) => {
    const missing = days.filter((day) => !known.has(day));
    const prune = retentionDays > 0 && maintainedDay !== today;
    if (missing.length === 0 && !prune) return;
    await client().begin(async (tx) => {
      await lockTable(tx, tableLockKey(table));
      await createPartitions(tx, table, missing);
      if (prune) {
        const dropped = await dropDaysBefore(tx, table, today - retentionDays);
        if (dropped.length > 0) {
          options.logger?.info?.(
            `central table ${table}: dropped ${dropped.length} day partition(s) past retention (${dropped[0]} to ${dropped.at(-1)})`,
          );
        }
      }
    });
    for (const day of missing) known.add(day);
    maintainedDay = today;
  };

  return {
    prepare: () => prepareCentralTable(client(), table, now()),
    async insert(rows) {
      const today = dayOf(now());
      const firstKept = retentionDays > 0 ? today - retentionDays : Number.NEGATIVE_INFINITY;
      const kept = rows.filter((row) => dayOf(timeOf(row.ts)) >= firstKept);
      const days = [...daysAhead(now()), ...kept.map((row) => dayOf(timeOf(row.ts)))];
      try {
        await maintain([...new Set(days)], today);
        if (kept.length === 0) return;
        const db = client();
        await db`WITH inserted AS (
          INSERT INTO ${db(table)} ${db(kept, ...CENTRAL_COLUMNS)}
          ON CONFLICT DO NOTHING RETURNING *),
          ${db.unsafe(addToRollupsSql(table))}`;
      } catch (error) {
        // Another gateway with a shorter retention may have dropped a day this one still sends.
        known.clear();
        throw error;
      }
    },
    async close() {
      const open = sql;
      sql = undefined;
      await open?.end({ timeout: 2 });
    },
  };
}

const timeOf = (value: CentralValue | undefined): number =>
  value instanceof Date ? value.getTime() : Number(value);
