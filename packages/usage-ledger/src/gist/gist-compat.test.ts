import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterEach, describe, expect, it } from "vitest";
import { queryLedgerReport } from "../report/query.ts";
import { openLedger } from "../store/migrate.ts";
import { LedgerWriter } from "../store/writer.ts";
import { startGistCompat } from "./gist-compat.ts";
import { GIST_HISTORY, writeGistFile } from "./gist-file.test-support.ts";
import { findGistFile } from "./gist-file.ts";
import type { GistMirror } from "./gist-mirror.ts";

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ledger-gist-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const gistDefault = (state: string) =>
  join(state, "workspace", ".openclaw", "state", "usage-ledger.db");

function logs() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      info: (m: string) => lines.push(`info: ${m}`),
      warn: (m: string) => lines.push(`warn: ${m}`),
      error: (m: string) => lines.push(`error: ${m}`),
    },
  };
}

function start(ledgerPath: string, state: string, log = logs()) {
  const mirror = startGistCompat({
    ledgerPath,
    stateDir: state,
    busyTimeoutMs: 25,
    logger: log.logger,
    now: () => Date.UTC(2026, 11, 7),
  });
  if (mirror) cleanup.push(() => mirror.close());
  return mirror;
}

function query<T>(path: string, sql: string, ...params: string[]): T[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

describe("the original usage-ledger extension's file", () => {
  it("is found as the ledger's own file, at its default place, or not at all", () => {
    const state = stateDir();
    const ledger = join(state, "usage-ledger", "ledger.sqlite");
    expect(findGistFile({ ledgerPath: ledger, stateDir: state })).toBeUndefined();
    writeFileSync(join(state, "not-sqlite.db"), "hello");
    expect(findGistFile({ ledgerPath: join(state, "not-sqlite.db"), stateDir: state })).toBe(
      undefined,
    );
    writeGistFile(gistDefault(state), []);
    expect(findGistFile({ ledgerPath: ledger, stateDir: state })).toBe(gistDefault(state));
    const custom = join(state, "custom", "usage-ledger.db");
    writeGistFile(custom, []);
    expect(findGistFile({ ledgerPath: custom, stateDir: state })).toBe(custom);
    const workspace = join(state, "elsewhere");
    writeGistFile(join(workspace, ".openclaw", "state", "usage-ledger.db"), []);
    rmSync(gistDefault(state));
    expect(
      findGistFile({ ledgerPath: ledger, stateDir: state, configuredWorkspace: workspace }),
    ).toBe(join(workspace, ".openclaw", "state", "usage-ledger.db"));
  });

  it("named by dbPath, is used in place: its history imported once, marked, cost unknown", () => {
    const state = stateDir();
    const path = join(state, "custom", "usage-ledger.db");
    writeGistFile(path, [
      ...GIST_HISTORY,
      { ts: Date.UTC(2026, 10, 2, 9, 9), input_tokens: -5, source_event: "llm_output" },
    ]);
    const log = logs();
    expect(start(path, state, log)).toBeDefined();
    expect(log.lines).toEqual([
      expect.stringMatching(
        /^info: imported 3 call\(s\) .* \(the ledger's own file\) .*; 1 unreadable row\(s\) left out$/,
      ),
    ]);
    const rows = query<Record<string, unknown>>(
      path,
      "SELECT event_id, trigger, model, input, output, cache_read, total, cost_nusd, cost_state, saving_nusd, outcome, latency_ms FROM usage_rows ORDER BY ts",
    );
    expect(rows).toEqual([
      expect.objectContaining({
        event_id: `gist:1:${GIST_HISTORY[0]?.ts}`,
        trigger: "imported",
        model: "gpt-5.5",
        input: 1200,
        output: 80,
        cache_read: 1024,
        total: 2304,
        cost_nusd: null,
        cost_state: "unknown",
        saving_nusd: null,
        outcome: "completed",
        latency_ms: 900,
      }),
      expect.objectContaining({ trigger: "imported", input: 300, cost_state: "unknown" }),
      expect.objectContaining({ model: "kimi-k2.6", outcome: "error", cost_state: "unknown" }),
    ]);
    // A restart finds the import done: nothing twice.
    const again = logs();
    start(path, state, again);
    expect(again.lines).toEqual([]);
    expect(query(path, "SELECT * FROM usage_rows")).toHaveLength(3);
    // The report (its rollups too) shows them as one "imported" group, cost unknown, never 0.
    const db = openLedger(path);
    try {
      const report = queryLedgerReport(db, { by: "trigger", since: 0, until: Date.UTC(2027, 0) });
      expect(report.rows).toEqual([
        expect.objectContaining({ key: "imported", calls: 3, costNano: 0, costUnknownRows: 3 }),
      ]);
    } finally {
      db.close();
    }
  });

  it("writes each new call to llm_usage_events in the extension's shape, after the batch", () => {
    const state = stateDir();
    const ledger = join(state, "usage-ledger", "ledger.sqlite");
    const gist = gistDefault(state);
    writeGistFile(gist, GIST_HISTORY);
    const mirror = start(ledger, state) as GistMirror;
    const writer = new LedgerWriter({ path: ledger, afterBatch: (rows) => mirror.write(rows) });
    cleanup.push(() => writer.close());
    const call = sampleRecord({
      eventId: "call:run-9:model:1",
      runId: "run-9",
      callId: "run-9:model:1",
    });
    writer.enqueue(call);
    writer.enqueue(call); // a replay: one ledger row, one table row
    writer.flush();
    const added = query<Record<string, unknown>>(
      gist,
      "SELECT * FROM llm_usage_events WHERE id > 3",
    );
    expect(added).toEqual([
      expect.objectContaining({
        ts: call.ts,
        request_id: "run-9:model:1",
        model: "gpt-5.5",
        provider: "cloudsigma",
        input_tokens: 176,
        output_tokens: 5,
        total_tokens: call.usage.total,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 1024,
        latency_ms: 397,
        success: 1,
        source_event: "usage-ledger",
      }),
    ]);
    expect(JSON.parse(String(added[0]?.raw_json))).toMatchObject({
      eventId: call.eventId,
      costState: "known",
    });
    // The ledger's own rows written to the table are never taken for history, even by a
    // ledger that has not imported this file before.
    writer.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${ledger}${suffix}`, { force: true });
    start(ledger, state);
    expect(query(ledger, "SELECT * FROM usage_rows WHERE trigger = 'imported'")).toHaveLength(3);
  });

  it("a table that cannot be written loses no ledger row, and says so once", () => {
    const state = stateDir();
    const ledger = join(state, "usage-ledger", "ledger.sqlite");
    const gist = gistDefault(state);
    writeGistFile(gist, []);
    const log = logs();
    const mirror = start(ledger, state, log) as GistMirror;
    const writer = new LedgerWriter({ path: ledger, afterBatch: (rows) => mirror.write(rows) });
    cleanup.push(() => writer.close());
    rmSync(gist, { force: true });
    rmSync(`${gist}-wal`, { force: true });
    rmSync(`${gist}-shm`, { force: true });
    for (const n of [1, 2, 3]) {
      writer.enqueue(sampleRecord({ eventId: `call:${n}` }));
      writer.flush();
    }
    expect(query(ledger, "SELECT * FROM usage_rows")).toHaveLength(3);
    const warnings = log.lines.filter((line) => line.startsWith("warn:"));
    expect(warnings).toEqual([expect.stringMatching(/not written \(the file is gone/)]);
    // Not made again where it was removed.
    expect(findGistFile({ ledgerPath: ledger, stateDir: state })).toBeUndefined();
  });

  it("a history that cannot be read is logged and the ledger starts anyway", () => {
    const state = stateDir();
    const ledger = join(state, "usage-ledger", "ledger.sqlite");
    writeGistFile(gistDefault(state), GIST_HISTORY);
    const db = new DatabaseSync(gistDefault(state));
    db.exec("DROP TABLE llm_usage_events; CREATE TABLE llm_usage_events (id INTEGER PRIMARY KEY)");
    db.close();
    const log = logs();
    expect(start(ledger, state, log)).toBeDefined();
    expect(log.lines).toEqual([
      expect.stringMatching(/^warn: the original usage-ledger history in .* was not imported \(/),
    ]);
  });
});
