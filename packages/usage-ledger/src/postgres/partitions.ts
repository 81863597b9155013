import type { TransactionSql } from "postgres";
import { DAY_MS } from "../report/groups.ts";
import { ROLLUP_LEVELS, rollupTable } from "./rollup.ts";

/*
 * The central table's day partitions. Why days, not weeks: retention then drops exactly the
 * days past `retentionDays` (a week would keep up to six days too many), a report's partial
 * hours touch one day's table and its small `ts` index, and at the scale this is built for (a
 * thousand gateways x 100k calls a day) a day is already ~100 M rows; the few hundred
 * partitions a year of days makes are well within what PostgreSQL plans quickly (fleet bench,
 * README "Fleet at scale"). Partitions are created ahead (today and tomorrow) and for any day a
 * batch holds, under the table's advisory lock, so forwarders never race to create one.
 */

/** The UTC day number of an epoch-ms time. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** `<table>_pYYYYMMDD`: the partition holding that UTC day. */
export const partitionName = (table: string, day: number): string =>
  `${table}_p${new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll("-", "")}`;

const bound = (day: number) => `'${new Date(day * DAY_MS).toISOString()}'`;

export function partitionSql(table: string, day: number): string {
  return `CREATE TABLE IF NOT EXISTS ${partitionName(table, day)} PARTITION OF ${table}
  FOR VALUES FROM (${bound(day)}) TO (${bound(day + 1)});`;
}

/** Takes the table's advisory lock for the rest of the transaction (DDL on it is serialised). */
export async function lockTable(tx: TransactionSql, lockKey: string): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtext(${lockKey}))`;
}

/** Creates the partitions of these days that do not exist (the caller holds the lock). */
export async function createPartitions(
  tx: TransactionSql,
  table: string,
  days: Iterable<number>,
): Promise<void> {
  const sql = [...new Set(days)].map((day) => partitionSql(table, day)).join("\n");
  if (sql) await tx.unsafe(sql);
}

/**
 * Drops the day partitions wholly before `cutoffDay` and the rollups' hours and days before it, in the
 * caller's transaction (which holds the lock), so the rollup and the raw rows keep covering the
 * same days. Returns the dropped partitions' names.
 */
export async function dropDaysBefore(
  tx: TransactionSql,
  table: string,
  cutoffDay: number,
): Promise<string[]> {
  const children = await tx<Array<{ name: string }>>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = ${table}::regclass`;
  const cutoff = partitionName(table, cutoffDay);
  const pattern = new RegExp(`^${table}_p\\d{8}$`);
  // YYYYMMDD names sort as their days do.
  const expired = children.map((c) => c.name).filter((n) => pattern.test(n) && n < cutoff);
  for (const name of expired) await tx.unsafe(`DROP TABLE ${name}`);
  for (const level of Object.values(ROLLUP_LEVELS)) {
    await tx.unsafe(
      `DELETE FROM ${rollupTable(table, level)} WHERE ${level.time} < to_timestamp($1::bigint / 1000)`,
      [cutoffDay * DAY_MS],
    );
  }
  return expired.sort();
}
