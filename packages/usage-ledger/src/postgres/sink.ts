import postgres from "postgres";
import { PLUGIN_ID } from "../config.ts";
import type { CentralSink } from "./forwarder.ts";
import { CENTRAL_COLUMNS, centralTableSql, PG_SCHEMA_VERSION } from "./schema.ts";

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

/** Creates the central table on first use, and refuses one a newer plugin created. */
export async function prepareCentralTable(sql: PgClient, table: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`${PLUGIN_ID}:${table}`}))`;
    await tx.unsafe(`CREATE TABLE IF NOT EXISTS usage_ledger_schema (
      table_name text PRIMARY KEY, version integer NOT NULL, updated_at timestamptz NOT NULL)`);
    const [found] = await tx<Array<{ version: number }>>`
      SELECT version FROM usage_ledger_schema WHERE table_name = ${table}`;
    if (found && found.version > PG_SCHEMA_VERSION) {
      throw new Error(
        `central table ${table} is at schema version ${found.version}, newer than this plugin's ${PG_SCHEMA_VERSION}; upgrade the usage-ledger plugin`,
      );
    }
    if (found?.version === PG_SCHEMA_VERSION) return;
    await tx.unsafe(centralTableSql(table));
    await tx`INSERT INTO usage_ledger_schema (table_name, version, updated_at)
      VALUES (${table}, ${PG_SCHEMA_VERSION}, now())
      ON CONFLICT (table_name) DO UPDATE SET version = excluded.version, updated_at = now()`;
  });
}

export function postgresSink(connection: PgConnection): CentralSink {
  let sql: PgClient | undefined;
  const client = () => {
    sql ??= connectPostgres(connection.url);
    return sql;
  };
  return {
    prepare: () => prepareCentralTable(client(), connection.table),
    async insert(rows) {
      const db = client();
      await db`INSERT INTO ${db(connection.table)} ${db(rows, ...CENTRAL_COLUMNS)}
        ON CONFLICT (gateway_id, event_id) DO NOTHING`;
    },
    async close() {
      const open = sql;
      sql = undefined;
      await open?.end({ timeout: 2 });
    },
  };
}
