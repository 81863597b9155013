import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/*
 * A libpq connection service (`postgres.service`): host, port, dbname, user and password come
 * from the service's section of a pg_service.conf file, where PostgreSQL operators already keep
 * them (mode 0600, outside any config OpenClaw writes). The files are looked up as libpq does:
 * PGSERVICEFILE (else ~/.pg_service.conf), then PGSYSCONFDIR/pg_service.conf. Read once when
 * the forwarder starts or a report runs, never per model call.
 */

/** A service file larger than this is not a service file. */
const MAX_FILE_BYTES = 64 * 1024;
const KNOWN_KEYS = new Set(["host", "port", "dbname", "user", "password", "sslmode"]);

export class PgServiceError extends Error {
  override name = "PgServiceError";
}

type Env = Readonly<Record<string, string | undefined>>;

/** The files libpq would read for a service, in order. */
export function serviceFiles(env: Env): string[] {
  const user = env.PGSERVICEFILE || join(env.HOME || homedir(), ".pg_service.conf");
  return env.PGSYSCONFDIR ? [user, join(env.PGSYSCONFDIR, "pg_service.conf")] : [user];
}

/** The service's settings from the first file that has its section; PgServiceError if none does. */
export function readService(name: string, env: Env): Record<string, string> {
  const looked: string[] = [];
  for (const path of serviceFiles(env)) {
    let text: string;
    try {
      if (statSync(path).size > MAX_FILE_BYTES)
        throw new PgServiceError(`postgres.service: ${path} is larger than 64 KB`);
      text = readFileSync(path, "utf8");
    } catch (error) {
      if (error instanceof PgServiceError) throw error;
      looked.push(`${path} (not readable)`);
      continue;
    }
    const section = parseServiceFile(text, path)[name];
    if (section) return section;
    looked.push(`${path} (no [${name}])`);
  }
  throw new PgServiceError(`postgres.service: no service "${name}" in ${looked.join(", ")}`);
}

/** Sections of a pg_service.conf: `[name]` lines, then `key=value` lines; `#` starts a comment. */
export function parseServiceFile(
  text: string,
  path: string,
): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header?.[1]) {
      current = {};
      sections[header[1].trim()] = current;
      return;
    }
    const eq = line.indexOf("=");
    if (eq <= 0 || !current)
      throw new PgServiceError(`postgres.service: ${path} line ${index + 1} is not key=value`);
    const key = line.slice(0, eq).trim();
    if (KNOWN_KEYS.has(key)) current[key] = line.slice(eq + 1).trim();
  });
  return sections;
}

/** The connection URL for a service's settings (the password, if any, only in the URL). */
export function serviceUrl(name: string, settings: Record<string, string>): string {
  const host = settings.host || "localhost";
  if (host.startsWith("/"))
    throw new PgServiceError(
      `postgres.service "${name}": host is a socket directory; give a TCP host name or address`,
    );
  const port = settings.port || "5432";
  if (!/^\d{1,5}$/.test(port))
    throw new PgServiceError(`postgres.service "${name}": port must be a number`);
  const user = settings.user ? encodeURIComponent(settings.user) : "";
  const password = settings.password ? `:${encodeURIComponent(settings.password)}` : "";
  const auth = user ? `${user}${password}@` : "";
  const db = encodeURIComponent(settings.dbname || settings.user || "postgres");
  const ssl = settings.sslmode ? `?sslmode=${encodeURIComponent(settings.sslmode)}` : "";
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return `postgres://${auth}${hostPart}:${port}/${db}${ssl}`;
}
