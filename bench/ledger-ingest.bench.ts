// Usage ledger: ingest rate of the batched writer against one autocommit INSERT per event (the
// simplest way to write a ledger), side by side in one run; then grouped-report
// latency over 1,000,000 synthetic rows (the daily rollup for whole days, the hourly one for
// whole hours, raw rows at the range edges)
// beside the same report computed by scanning the raw rows.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import {
  groupKeysSql,
  type LocalReportGroup,
  REPORT_GROUPS,
} from "../packages/usage-ledger/src/report/groups.ts";
import { queryLedgerReport } from "../packages/usage-ledger/src/report/query.ts";
import { rawSumsSql } from "../packages/usage-ledger/src/report/totals.ts";
import {
  INSERT_USAGE_ROW,
  type LedgerRow,
  usageRowParams,
} from "../packages/usage-ledger/src/store/columns.ts";
import { openLedger } from "../packages/usage-ledger/src/store/migrate.ts";
import { LedgerWriter } from "../packages/usage-ledger/src/store/writer.ts";
import { median, printTable } from "./table.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

const SYNTHETIC_CAUSES = ["none", "none", "none", "cold", "ttl_expired", "prefix_history"] as const;

/** Synthetic call rows: sessions active for about two hours each, spread over `days`. */
export function* syntheticRows(count: number, days: number, prefix: string): Generator<LedgerRow> {
  const sessions = Math.max(1, Math.round(count / 50));
  for (let i = 0; i < count; i++) {
    const session = i % sessions;
    const sessionStart = NOW - days * DAY + Math.floor((session / sessions) * days * DAY);
    const ts = sessionStart + ((i * 7_919) % 7_200_000);
    yield {
      eventId: `${prefix}:${i}`,
      ts,
      granularity: i % 97 === 0 ? "run" : "call",
      calls: 1,
      agentId: `agent-${session % 20}`,
      sessionKey: `agent:agent-${session % 20}:s${session}`,
      sessionId: `sid-${session}`,
      runId: `run-${Math.floor(i / 3)}`,
      callId: `run-${Math.floor(i / 3)}:model:${(i % 3) + 1}`,
      trigger: ["user", "user", "cron", "heartbeat", "subagent"][session % 5] ?? "user",
      provider: "cloudsigma",
      model: `model-${session % 8}`,
      routedModel: null,
      usage: normalizeUsage({
        input: 200 + (i % 900),
        output: 20 + (i % 80),
        cacheRead: (i * 37) % 12_000,
        cacheWrite: 0,
      }),
      costNano: 10_000 + (i % 5_000),
      costState: "known",
      costSource: "host",
      hostCost: { total: (10_000 + (i % 5_000)) / 1e9 },
      savingNano: 1_000 + (i % 700),
      latencyMs: 300 + (i % 900),
      ttfbMs: 100 + (i % 300),
      outcome: i % 211 === 0 ? "error" : "completed",
      errorCategory: null,
      // Cache accounting as a gateway with the optimizer records it: most calls hit, some miss
      // for one cause or another; each session mostly on one of 16 upstream replicas.
      upstreamRoute: `replica-${(session + (i % 23 === 0 ? 1 : 0)) % 16}`,
      cache: {
        affinityId: `aff-${session % 40}`,
        expected: 1024,
        missed: i % 7 === 0 ? 512 : 0,
        invalidated: i % 11 === 0 ? 128 : 0,
        cause: SYNTHETIC_CAUSES[i % SYNTHETIC_CAUSES.length] ?? "none",
        divergedAt: null,
        missedCostNano: i % 7 === 0 ? 400 : 0,
      },
    };
  }
}

/** The naive way: one table, WAL with default synchronous, one autocommit INSERT per event. */
function naiveIngest(path: string, records: readonly UsageRecord[]): void {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA busy_timeout = 3000");
  db.exec(`CREATE TABLE IF NOT EXISTS llm_usage_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, request_id TEXT, model TEXT,
    provider TEXT, input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0, cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_input_tokens INTEGER NOT NULL DEFAULT 0, latency_ms INTEGER,
    success INTEGER NOT NULL DEFAULT 1, source_event TEXT NOT NULL, raw_json TEXT);
    CREATE INDEX IF NOT EXISTS llm_usage_events_ts ON llm_usage_events (ts);
    CREATE INDEX IF NOT EXISTS llm_usage_events_model_ts ON llm_usage_events (model, ts);`);
  const insert = db.prepare(
    "INSERT INTO llm_usage_events (ts, request_id, model, provider, input_tokens, output_tokens, total_tokens, cache_creation_input_tokens, cache_read_input_tokens, latency_ms, success, source_event, raw_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  for (const r of records) {
    insert.run(
      r.ts,
      r.runId,
      r.model,
      r.provider,
      r.usage.input,
      r.usage.output,
      r.usage.total,
      r.usage.cacheWrite,
      r.usage.cacheRead,
      r.latencyMs,
      1,
      "llm_output",
      JSON.stringify(r.usage),
    );
  }
  db.close();
}

/** This ledger's schema and rollup, but one autocommit INSERT per event: batching's share alone. */
function autocommitIngest(path: string, records: readonly UsageRecord[]): void {
  const db = openLedger(path);
  const insert = db.prepare(INSERT_USAGE_ROW);
  for (const r of records) insert.run(...usageRowParams(r, NOW));
  db.close();
}

/**
 * The plugin's path: hooks enqueue; once 500 rows wait, the writer's next tick commits them in
 * one transaction (here called inline, as that tick would).
 */
function batchedIngest(path: string, records: readonly UsageRecord[]): void {
  const writer = new LedgerWriter({ path, batchSize: 500 });
  for (const r of records) {
    writer.enqueue(r);
    if (writer.queued >= 500) writer.flush();
  }
  writer.close();
}

function eventsPerSecond(
  ingest: (path: string, records: readonly UsageRecord[]) => void,
  count: number,
  runs: number,
): number {
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dir = mkdtempSync(join(tmpdir(), "ledger-bench-"));
    const records = [...syntheticRows(count, 7, `ingest-${run}`)];
    const started = performance.now();
    ingest(join(dir, "ledger.sqlite"), records);
    rates.push(count / ((performance.now() - started) / 1000));
    rmSync(dir, { recursive: true, force: true });
  }
  return median(rates);
}

function benchIngest(): void {
  const runs = 3;
  const results = [
    {
      name: "naive: autocommit INSERT per event (synchronous=FULL)",
      events: 5_000,
      rate: eventsPerSecond(naiveIngest, 5_000, runs),
    },
    {
      name: "autocommit INSERT per event, this schema + rollup",
      events: 20_000,
      rate: eventsPerSecond(autocommitIngest, 20_000, runs),
    },
    {
      name: "batched writer, 500 rows per transaction",
      events: 200_000,
      rate: eventsPerSecond(batchedIngest, 200_000, runs),
    },
  ];
  const base = results[0]?.rate ?? 1;
  printTable(
    `Ledger ingest (events/s, median of ${runs} runs, same process; target >= 50,000 batched)`,
    ["method", "events", "events/s", "vs naive"],
    results.map((r) => [
      r.name,
      r.events.toLocaleString("en-US"),
      Math.round(r.rate).toLocaleString("en-US"),
      `${(r.rate / base).toFixed(1)}x`,
    ]),
  );
}

/** The same report's sums, grouped the same way, by one scan of the raw rows (no rollup). */
const rawScanSql = (by: LocalReportGroup) =>
  `SELECT ${groupKeysSql(by, "raw")}, ${rawSumsSql()} FROM usage_rows
   WHERE ts >= ? AND ts < ? GROUP BY k1, k2, cause`;

function timeMs(work: () => unknown, runs = 5): { ms: number; result: unknown } {
  let result: unknown;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = work();
    samples.push(performance.now() - started);
  }
  return { ms: median(samples), result };
}

function benchReports(): void {
  const dir = mkdtempSync(join(tmpdir(), "ledger-report-bench-"));
  const path = join(dir, "ledger.sqlite");
  try {
    const total = 1_000_000;
    const started = performance.now();
    const writer = new LedgerWriter({ path, batchSize: 5_000 });
    for (const r of syntheticRows(total, 30, "report")) {
      writer.enqueue(r);
      if (writer.queued >= 5_000) writer.flush();
    }
    writer.close();
    const loadSeconds = (performance.now() - started) / 1000;
    const db = openDatabase(path, { readOnly: true });
    const rows: string[][] = [];
    for (const [label, since] of [
      ["7d", NOW - 7 * DAY],
      ["30d (all)", 0],
    ] as const) {
      for (const by of REPORT_GROUPS) {
        const ledger = timeMs(() =>
          queryLedgerReport(db, { by, since: since + 1_234, until: NOW }),
        );
        const groups = (ledger.result as { rows: unknown[] }).rows.length;
        const raw = timeMs(() => db.prepare(rawScanSql(by)).all(since + 1_234, NOW), 3);
        rows.push([
          `--by ${by} --since ${label}`,
          groups.toLocaleString("en-US"),
          ledger.ms.toFixed(1),
          raw.ms.toFixed(1),
          `${(raw.ms / ledger.ms).toFixed(0)}x`,
        ]);
      }
    }
    const rollup = db
      .prepare(
        "SELECT (SELECT count(*) FROM usage_hourly) AS hourly, (SELECT count(*) FROM usage_daily) AS daily",
      )
      .get();
    db.close();
    printTable(
      `Grouped report latency over ${total.toLocaleString("en-US")} rows (ms, median; target < 200). Load: ${loadSeconds.toFixed(1)} s, ${Math.round(statSync(path).size / 1e6)} MB, rollups: ${Number(rollup?.hourly ?? 0).toLocaleString("en-US")} hourly and ${Number(rollup?.daily ?? 0).toLocaleString("en-US")} daily rows`,
      ["report", "groups", "ledger ms", "raw scan ms", "speed-up"],
      rows,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  benchIngest();
  benchReports();
}
