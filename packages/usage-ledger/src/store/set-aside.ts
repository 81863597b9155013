import { existsSync, readdirSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/*
 * A corrupt ledger file (truncated, overwritten, not SQLite at all) can never take another row,
 * so the writer moves it aside and starts a fresh one at the same path: recording goes on, and
 * the damaged file stays beside it, named with the time it was set aside, for whoever wants to
 * recover its rows (`sqlite3 ledger.sqlite.corrupt-… .recover`). The sibling files themselves
 * are the record that this happened: reports list them, so nothing else has to be written to
 * a database that has just proven unreliable.
 */

const MARK = ".corrupt-";
/** `2026-12-07T19-40-00Z`, with `-2`, `-3`... when one second saw more than one. */
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d)-(\d\d)-(\d\d)Z(?:-\d+)?$/;
const COMPANIONS = ["-wal", "-shm"] as const;

export interface SetAsideLedger {
  /** Where the damaged file now is. */
  path: string;
  /** When it was set aside (ISO time, to the second). */
  at: string;
}

/**
 * Renames `path` (and its -wal and -shm files, which belong to it) to
 * `<path>.corrupt-<UTC time>` and returns the new path. Throws when the rename fails (the
 * directory read-only, say): the writer then keeps its rows and says so.
 */
export function setAsideLedger(path: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 19).replaceAll(":", "-");
  let aside = `${path}${MARK}${stamp}Z`;
  for (let n = 2; existsSync(aside); n++) aside = `${path}${MARK}${stamp}Z-${n}`;
  renameSync(path, aside);
  for (const suffix of COMPANIONS) {
    if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${aside}${suffix}`);
  }
  return aside;
}

/** The files set aside from `path`, oldest first (none when the folder cannot be read). */
export function setAsideLedgers(path: string): SetAsideLedger[] {
  const prefix = `${basename(path)}${MARK}`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  const found: SetAsideLedger[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const parts = STAMP.exec(name.slice(prefix.length));
    if (!parts) continue; // the -wal and -shm companions, or a name we did not give
    found.push({ path: join(dirname(path), name), at: `${parts[1]}:${parts[2]}:${parts[3]}Z` });
  }
  return found.sort((a, b) => a.at.localeCompare(b.at) || a.path.localeCompare(b.path));
}
