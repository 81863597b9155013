import { errorText } from "@cloudsigma/taas-core/error-text";
import { openLedger } from "../store/migrate.ts";
import type { WriterLogger } from "../store/writer.ts";
import { findGistFile, type GistFileOptions } from "./gist-file.ts";
import { importGistHistory } from "./gist-import.ts";
import { GistMirror } from "./gist-mirror.ts";

/*
 * What the ledger does for an installation of the original usage-ledger extension, when its
 * writer starts (gateway start, or the first call): find the extension's file, import its
 * history once, and hand back the mirror that keeps its table current. Nothing here can stop
 * the ledger from recording: every failure is logged and the ledger goes on without it.
 */

/** The import waits this long for another writer's lock: once, at start, not per call. */
const IMPORT_BUSY_TIMEOUT_MS = 1_000;

export interface GistCompatOptions extends GistFileOptions {
  busyTimeoutMs: number;
  logger: WriterLogger & { info(message: string): void };
  now?: () => number;
}

/** The mirror of the extension's table, when its file is in use; undefined otherwise. */
export function startGistCompat(options: GistCompatOptions): GistMirror | undefined {
  const { logger, ledgerPath } = options;
  const gistPath = findGistFile(options);
  if (!gistPath) return undefined;
  const shared = gistPath === ledgerPath ? " (the ledger's own file)" : "";
  try {
    const ledger = openLedger(ledgerPath, { busyTimeoutMs: IMPORT_BUSY_TIMEOUT_MS });
    try {
      const done = importGistHistory(ledger, gistPath, (options.now ?? Date.now)());
      if (done) {
        logger.info(
          `imported ${done.imported} call(s) of the original usage-ledger history from ${gistPath}${shared} (trigger "imported", cost unknown)` +
            (done.skipped > 0 ? `; ${done.skipped} unreadable row(s) left out` : ""),
        );
      } else {
        logger.debug?.(`history of ${gistPath} was imported before`);
      }
    } finally {
      ledger.close();
    }
  } catch (error) {
    logger.warn(
      `the original usage-ledger history in ${gistPath} was not imported (${errorText(error)}); the next gateway start tries again`,
    );
  }
  logger.debug?.(`each new call is also written to llm_usage_events in ${gistPath}${shared}`);
  return new GistMirror({
    path: gistPath,
    busyTimeoutMs: options.busyTimeoutMs,
    warn: logger.warn,
    ...(logger.debug ? { debug: logger.debug } : {}),
  });
}
