import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { GIST_TABLE_SQL } from "./gist-file.ts";

/** An `llm_usage_events` row as the original extension wrote it (its INSERT's columns). */
export interface GistEvent {
  ts: number;
  request_id?: string | null;
  model?: string | null;
  provider?: string | null;
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  latency_ms?: number | null;
  success?: number;
  source_event?: string;
}

/** A `usage-ledger.db` as the extension left it: its table (WAL, as it set), with `events`. */
export function writeGistFile(path: string, events: readonly GistEvent[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA journal_mode = WAL;");
    db.exec(GIST_TABLE_SQL);
    const insert = db.prepare(`INSERT INTO llm_usage_events (
      ts, request_id, model, provider, input_tokens, output_tokens, total_tokens,
      cache_creation_input_tokens, cache_read_input_tokens, latency_ms, success, source_event, raw_json
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const e of events) {
      insert.run(
        e.ts,
        e.request_id ?? null,
        e.model ?? null,
        e.provider ?? null,
        e.input_tokens ?? 0,
        e.output_tokens ?? 0,
        e.total_tokens ?? (e.input_tokens ?? 0) + (e.output_tokens ?? 0),
        e.cache_creation_input_tokens ?? 0,
        e.cache_read_input_tokens ?? 0,
        e.latency_ms ?? null,
        e.success ?? 1,
        e.source_event ?? "llm_output",
        JSON.stringify({ usage: { input: e.input_tokens ?? 0 } }),
      );
    }
  } finally {
    db.close();
  }
}

/** Three calls of the extension's history, on 2026-11-02 (UTC). */
export const GIST_HISTORY: readonly GistEvent[] = [
  {
    ts: Date.UTC(2026, 10, 2, 9, 0),
    request_id: "run-a",
    model: "gpt-5.5",
    provider: "cloudsigma",
    input_tokens: 1200,
    output_tokens: 80,
    cache_read_input_tokens: 1024,
    total_tokens: 2304,
    latency_ms: 900,
  },
  {
    ts: Date.UTC(2026, 10, 2, 9, 5),
    request_id: "run-b",
    model: "gpt-5.5",
    provider: "cloudsigma",
    input_tokens: 300,
    output_tokens: 40,
    latency_ms: 500,
  },
  {
    ts: Date.UTC(2026, 10, 2, 9, 7),
    request_id: "run-c",
    model: "kimi-k2.6",
    provider: "cloudsigma",
    input_tokens: 50,
    output_tokens: 0,
    success: 0,
    source_event: "before_message_write",
  },
];
