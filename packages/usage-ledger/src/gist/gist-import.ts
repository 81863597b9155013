import { DatabaseSync } from "node:sqlite";
import { inTransaction } from "@cloudsigma/taas-core/sqlite";
import { millis, text } from "@cloudsigma/taas-core/usage/usage-record";
import { INSERT_USAGE_ROW, type LedgerRow, usageRowParams } from "../store/columns.ts";
import { GIST_TABLE, LEDGER_SOURCE_EVENT } from "./gist-file.ts";

/*
 * The original extension's history, brought into the ledger once. Each `llm_usage_events` row
 * becomes one call row marked `trigger = 'imported'` (the report's `--by trigger` shows them as
 * one group), with its tokens, model, provider, latency and success as recorded, and its cost
 * unknown: the extension kept no price, and none is made up (`reprice` may price them later).
 * What the extension did not record (agent, session, run) stays NULL.
 *
 * "Once" is kept in the ledger file, in `gist_imports` (one row per imported file, created here
 * with IF NOT EXISTS, apart from the versioned schema steps): a restart finds it and imports
 * nothing, so the rows this ledger itself adds to the table later are never taken for history.
 * Each row's event id (`gist:<id>:<ts>`) also makes a repeated import of the same row a no-op.
 */

export const IMPORTED_TRIGGER = "imported";

const GIST_IMPORTS_SQL = `
CREATE TABLE IF NOT EXISTS gist_imports (
  gist_path TEXT PRIMARY KEY,
  through_id INTEGER NOT NULL,
  imported INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  imported_at INTEGER NOT NULL
) STRICT;`;

export interface GistImport {
  /** Rows added to the ledger. */
  imported: number;
  /** Rows already in the ledger (same event id). */
  duplicates: number;
  /** Rows whose time or token counts could not be read (negative, not numbers): left out. */
  skipped: number;
  /** The highest `llm_usage_events` id this import covered. */
  throughId: number;
}

/**
 * Imports the history of `gistPath` into the open ledger `ledger`, in one transaction, unless
 * this ledger imported that file before (then undefined). May throw (the file unreadable).
 */
export function importGistHistory(
  ledger: DatabaseSync,
  gistPath: string,
  now: number,
): GistImport | undefined {
  ledger.exec(GIST_IMPORTS_SQL);
  const source = new DatabaseSync(gistPath, { readOnly: true });
  try {
    return inTransaction(ledger, () => {
      const done = ledger.prepare("SELECT 1 FROM gist_imports WHERE gist_path = ?").get(gistPath);
      if (done) return undefined;
      const max = source.prepare(`SELECT max(id) AS id FROM ${GIST_TABLE}`).get();
      const throughId = Number(max?.id ?? 0);
      const insert = ledger.prepare(INSERT_USAGE_ROW);
      const rows = source
        .prepare(`SELECT * FROM ${GIST_TABLE} WHERE id <= ? AND source_event IS NOT ? ORDER BY id`)
        .iterate(throughId, LEDGER_SOURCE_EVENT);
      const result: GistImport = { imported: 0, duplicates: 0, skipped: 0, throughId };
      for (const event of rows) {
        const row = importedRow(event);
        if (!row) {
          result.skipped += 1;
          continue;
        }
        const changes = Number(insert.run(...usageRowParams(row, now)).changes);
        if (changes > 0) result.imported += 1;
        else result.duplicates += 1;
      }
      ledger
        .prepare(
          "INSERT INTO gist_imports (gist_path, through_id, imported, skipped, imported_at) VALUES (?, ?, ?, ?, ?)",
        )
        .run(gistPath, throughId, result.imported, result.skipped, Math.trunc(now));
      return result;
    });
  } finally {
    source.close();
  }
}

/** A ledger row for one extension row; undefined when its time or a count is unreadable. */
export function importedRow(event: Record<string, unknown>): LedgerRow | undefined {
  const ts = millis(event.ts);
  const counts = [
    event.input_tokens,
    event.output_tokens,
    event.cache_read_input_tokens,
    event.cache_creation_input_tokens,
    event.total_tokens,
  ].map(tokenCount);
  const [input, output, cacheRead, cacheWrite, total] = counts;
  if (
    ts === null ||
    input === undefined ||
    output === undefined ||
    cacheRead === undefined ||
    cacheWrite === undefined ||
    total === undefined
  ) {
    return undefined;
  }
  return {
    eventId: `gist:${String(event.id)}:${ts}`,
    ts,
    granularity: "call",
    calls: 1,
    agentId: null,
    sessionKey: null,
    sessionId: null,
    runId: null,
    callId: null,
    trigger: IMPORTED_TRIGGER,
    provider: text(event.provider, 128),
    model: text(event.model, 256),
    routedModel: null,
    upstreamRoute: null,
    usage: { input, output, cacheRead, cacheWrite, total, known: true, shape: "openclaw" },
    costNano: null,
    costState: "unknown",
    costSource: null,
    hostCost: {},
    savingNano: null,
    latencyMs: millis(event.latency_ms),
    ttfbMs: null,
    outcome: Number(event.success) === 0 ? "error" : "completed",
    errorCategory: null,
  };
}

/** A token count as the ledger keeps it (a non-negative integer), else undefined. */
function tokenCount(value: unknown): number | undefined {
  if (value === null || value === undefined) return 0; // the extension's columns default to 0
  return millis(value) ?? undefined;
}
