import type { Sql, TransactionSql } from "postgres";
import { PLUGIN_ID } from "../config.ts";
import { createPartitions, dayOf, lockTable } from "./partitions.ts";
import { rollUpTableSql, rollupTableSql } from "./rollup.ts";
import { addedColumnsSql, CENTRAL_COLUMNS, centralTableSql, PG_SCHEMA_VERSION } from "./schema.ts";

/*
 * Creates the central table and its rollup on first use, brings an older one to the current
 * version, and refuses one a newer plugin created, all in one transaction under the table's
 * advisory lock, so gateways starting together do not race and a failed upgrade changes nothing.
 */

/** The advisory lock every forwarder of this table takes for DDL (creation, partitions, retention). */
export const tableLockKey = (table: string): string => `${PLUGIN_ID}:${table}`;

/** The current day and the next exist before any row needs them. */
export const daysAhead = (now: number): number[] => [dayOf(now), dayOf(now) + 1];

export async function prepareCentralTable(
  sql: Sql,
  table: string,
  now = Date.now(),
): Promise<void> {
  await sql.begin(async (tx) => {
    await lockTable(tx, tableLockKey(table));
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
    const [kind] = await tx<Array<{ relkind: string }>>`
      SELECT relkind FROM pg_class WHERE oid = to_regclass(${table})`;
    if (kind?.relkind === "r") await partitionInPlace(tx, table);
    else await tx.unsafe(centralTableSql(table) + rollupTableSql(table));
    await createPartitions(tx, table, daysAhead(now));
    await tx`INSERT INTO usage_ledger_schema (table_name, version, updated_at)
      VALUES (${table}, ${PG_SCHEMA_VERSION}, now())
      ON CONFLICT (table_name) DO UPDATE SET version = excluded.version, updated_at = now()`;
  });
}

/**
 * Version 1 and 2 tables are one plain table. Its rows move into the partitioned table in this
 * one transaction (renamed aside, copied into a partition per day they cover, summed into the
 * rollups, dropped), so they are kept exactly once: either all moved, or the old table untouched.
 */
async function partitionInPlace(tx: TransactionSql, table: string): Promise<void> {
  const old = `${table}_unpartitioned`;
  await tx.unsafe(`
ALTER TABLE ${table} RENAME TO ${old};
ALTER INDEX IF EXISTS ${table}_pkey RENAME TO ${old}_pkey;
ALTER INDEX IF EXISTS ${table}_ts RENAME TO ${old}_ts;
ALTER INDEX IF EXISTS ${table}_gateway_ts RENAME TO ${old}_gateway_ts;
${addedColumnsSql(old)}
${centralTableSql(table)}
${rollupTableSql(table)}`);
  const days = await tx.unsafe<Array<{ day: string }>>(
    `SELECT DISTINCT floor(extract(epoch FROM ts) / 86400)::bigint AS day FROM ${old}`,
  );
  await createPartitions(
    tx,
    table,
    days.map((row) => Number(row.day)),
  );
  const columns = CENTRAL_COLUMNS.join(", ");
  await tx.unsafe(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM ${old}`);
  await tx.unsafe(rollUpTableSql(table));
  await tx.unsafe(`DROP TABLE ${old}`);
}
