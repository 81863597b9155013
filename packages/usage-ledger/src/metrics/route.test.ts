import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { Readable } from "node:stream";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../../test-support/temp-dirs.ts";
import { MISS_CAUSES } from "../cache/accounting.ts";
import type { LedgerRow } from "../store/columns.ts";
import { LedgerWriter } from "../store/writer.ts";
import { escapeLabel } from "./format.ts";
import { metricsHandler } from "./route.ts";

const tempDir = useTempDirs("ledger-metrics");

function row(i: number, over: Partial<LedgerRow> = {}): LedgerRow {
  return {
    ...sampleRecord({
      eventId: `e${i}`,
      ts: Date.UTC(2026, 10, 1) + i * 60_000,
      agentId: i % 4 === 0 ? null : `agent-${i % 3}`,
      provider: "cloudsigma",
      model: `m${i % 5}`,
      upstreamRoute: i % 6 === 0 ? null : `replica-${i % 2}`,
      usage: normalizeUsage({ input: 100 + i, output: i % 7, cacheRead: i * 3, cacheWrite: i % 2 }),
      costNano: i % 10 === 0 ? null : 1_000_000 * i,
      costSource: i % 10 === 0 ? null : "host",
    }),
    cache:
      i % 3 === 0
        ? undefined
        : {
            affinityId: null,
            expected: 50,
            missed: i % 11,
            invalidated: i % 5 === 0 ? 64 : 0,
            cause: MISS_CAUSES[i % MISS_CAUSES.length] ?? "none",
            divergedAt: null,
          },
    ...over,
  };
}

function write(path: string, rows: LedgerRow[]): void {
  const writer = new LedgerWriter({ path, batchSize: 64 });
  for (const r of rows) writer.enqueue(r);
  writer.close();
}

/** Calls the handler as the host would and returns status, headers and body. */
function scrape(handler: ReturnType<typeof metricsHandler>, method = "GET") {
  const req = Object.assign(Readable.from([]), { method, url: "/usage-ledger/metrics" });
  let status = 0;
  let headers: Record<string, string> = {};
  let body = "";
  const res = {
    writeHead(code: number, h: Record<string, string> = {}) {
      status = code;
      headers = h;
      return res;
    },
    end(chunk?: string) {
      body = chunk ?? "";
      return res;
    },
  };
  handler(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  return { status, headers, body };
}

/** Sample lines as name{labels} -> value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const sum = (text: string, prefix: string, filter = "") =>
  [...samples(text)]
    .filter(([key]) => key.startsWith(`${prefix}{`) && key.includes(filter))
    .reduce((acc, [, value]) => acc + value, 0);

describe("usage-ledger metrics route", () => {
  it("exposes the ledger's lifetime totals, in base units, adding new rows on later scrapes", () => {
    const path = join(tempDir(), "ledger.sqlite");
    const rows = Array.from({ length: 300 }, (_, i) => row(i));
    write(path, rows.slice(0, 200));
    let clock = 0;
    const handler = metricsHandler({
      dbPath: () => path,
      warn: () => {},
      now: () => clock,
      chunkRows: 37,
    });
    const first = scrape(handler);
    expect(first.status).toBe(200);
    expect(first.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    write(path, rows.slice(200));
    // Within the minimum interval the previous text is served.
    expect(scrape(handler).body).toBe(first.body);
    clock += 1_000;
    const text = scrape(handler).body;

    const total = (pick: (r: LedgerRow) => number) => rows.reduce((a, r) => a + pick(r), 0);
    expect(sum(text, "usage_ledger_calls_total")).toBe(total((r) => r.calls));
    for (const [type, pick] of [
      ["input", (r: LedgerRow) => r.usage.input],
      ["output", (r: LedgerRow) => r.usage.output],
      ["cache_read", (r: LedgerRow) => r.usage.cacheRead],
      ["cache_write", (r: LedgerRow) => r.usage.cacheWrite],
    ] as const) {
      expect(sum(text, "usage_ledger_tokens_total", `gen_ai_token_type="${type}"`)).toBe(
        total(pick),
      );
    }
    for (const cause of MISS_CAUSES) {
      // Lost tokens: missed plus invalidated, as every report counts them.
      const expected = total((r) =>
        r.cache?.cause === cause ? (r.cache.missed ?? 0) + (r.cache.invalidated ?? 0) : 0,
      );
      expect(sum(text, "usage_ledger_lost_tokens_total", `miss_cause="${cause}"`)).toBe(expected);
    }
    expect(sum(text, "usage_ledger_cost_usd_total")).toBeCloseTo(
      total((r) => r.costNano ?? 0) / 1e9,
      9,
    );
    expect(text).toContain('agent="unknown"');
    expect(text).toContain("usage_ledger_metrics_unread_rows 0");
    expect(scrape(handler, "HEAD").body).toBe("");
    expect(scrape(handler, "POST").status).toBe(405);
  });

  it("caps each label's values, folding the rest into other without losing counts", () => {
    const path = join(tempDir(), "ledger.sqlite");
    const rows = Array.from({ length: 60 }, (_, i) => row(i, {}));
    for (const [i, r] of rows.entries()) r.model = `model-${i}`;
    write(path, rows);
    const caps = { agent: 50, provider: 20, model: 10, requested_model: 100, upstream: 100 };
    const text = scrape(metricsHandler({ dbPath: () => path, warn: () => {}, caps })).body;
    const models = new Set(
      [...text.matchAll(/[{,]model="([^"]*)"/g)].map((m) => m[1]).filter((m) => m !== undefined),
    );
    expect(models.size).toBe(caps.model + 1);
    expect(models).toContain("other");
    expect(sum(text, "usage_ledger_calls_total")).toBe(rows.reduce((a, r) => a + r.calls, 0));
  });

  it("answers empty counters before the ledger exists, and escapes label values", () => {
    const path = join(tempDir(), "missing", "ledger.sqlite");
    const text = scrape(metricsHandler({ dbPath: () => path, warn: () => {} })).body;
    expect(text).toContain("# TYPE usage_ledger_calls_total counter");
    expect(sum(text, "usage_ledger_calls_total")).toBe(0);
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});
