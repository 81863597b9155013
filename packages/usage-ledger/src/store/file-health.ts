import { statSync } from "node:fs";
import type { SqliteFailure } from "@cloudsigma/taas-core/sqlite";

/*
 * What the ledger writer tells about its file: how a write failure is named in the log (what
 * the operator has to fix), and the file's identity, to notice it being deleted or replaced.
 */

const FAILURE_WORDS: Record<SqliteFailure, string> = {
  busy: "busy",
  "disk-full": "full (the disk or the database's size limit)",
  "read-only": "read-only",
  io: "failing to write (an I/O error: a full disk, a file-size limit or a failing device)",
  unavailable: "unavailable",
  "bad-row": "unavailable",
  corrupt: "corrupt (damaged, or not a SQLite file)",
};

export const failureWords = (kind: SqliteFailure): string => FAILURE_WORDS[kind];

export function fileIdentity(path: string): { dev: number; ino: number } | undefined {
  try {
    const { dev, ino } = statSync(path);
    return { dev, ino };
  } catch {
    return undefined;
  }
}
