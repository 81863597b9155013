import { hostname } from "node:os";
import type { LedgerConfig } from "../config.ts";
import { TABLE_NAME } from "./schema.ts";
import { readService, serviceUrl } from "./service-file.ts";

/*
 * Where the central ledger is, from the `postgres` config section and the environment. The
 * password is never in the plugin config: a `url` that carries one is refused, `urlEnv` names
 * the variable that holds a full URL, `service` a libpq service whose file may hold it;
 * otherwise the client reads PGPASSWORD.
 */

export interface PgTarget {
  /** The URL the client connects with (may carry a password from the environment). */
  url: string;
  table: string;
  gatewayId: string;
  batchSize: number;
  intervalMs: number;
  /** Day partitions older than this many days are dropped (0: kept). */
  retentionDays: number;
  /** The target without any password: the high-water mark's key and what log lines name. */
  label: string;
}

export class PgTargetError extends Error {
  override name = "PgTargetError";
}

type Section = NonNullable<LedgerConfig["postgres"]>;

export function resolvePgTarget(
  section: Section,
  env: Readonly<Record<string, string | undefined>>,
  host = hostname(),
): PgTarget {
  const given = [section.url, section.urlEnv, section.service].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new PgTargetError("postgres: give exactly one of url, urlEnv and service");
  }
  if (!TABLE_NAME.test(section.table)) {
    throw new PgTargetError(
      `postgres.table must be a lower-case SQL identifier (letters, digits, _; at most 48), got ${JSON.stringify(section.table)}`,
    );
  }
  let url: string;
  if (section.url !== undefined) {
    if (parseUrl(section.url, "postgres.url").password) {
      throw new PgTargetError(
        "postgres.url must not contain a password: put it in PGPASSWORD, or the whole URL in the variable postgres.urlEnv names",
      );
    }
    url = section.url;
  } else if (section.service !== undefined) {
    try {
      url = serviceUrl(section.service, readService(section.service, env));
    } catch (error) {
      throw new PgTargetError(error instanceof Error ? error.message : String(error));
    }
  } else {
    const name = section.urlEnv ?? "";
    const value = env[name];
    if (!value) throw new PgTargetError(`postgres.urlEnv: the variable ${name} is not set`);
    url = value;
  }
  return {
    url,
    table: section.table,
    gatewayId: section.gatewayId ?? host,
    batchSize: section.batchSize,
    intervalMs: section.intervalMs,
    retentionDays: section.retentionDays,
    label: targetLabel(url, section.table),
  };
}

/** `postgres://user@host:port/db#table`: the URL without password or query. */
export function targetLabel(url: string, table: string): string {
  const parsed = parseUrl(url, "the PostgreSQL URL");
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : "";
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}#${table}`;
}

function parseUrl(url: string, what: string): URL {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") throw new Error();
    return parsed;
  } catch {
    // The text itself may hold a password: name the problem, not the value.
    throw new PgTargetError(`${what} must be a postgres:// or postgresql:// URL`);
  }
}
