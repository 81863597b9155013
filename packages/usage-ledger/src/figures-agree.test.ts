import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterAll, describe, expect, it } from "vitest";
import type { MissCause } from "./cache/accounting.ts";
import { missLogger } from "./cache/miss-log.ts";
import {
  efficiencyText,
  moneyNoteLines,
  moneyText,
  percentText,
  readReport,
} from "./control-ui/report-figures.ts";
import { metricsHandler } from "./metrics/route.ts";
import { runReportCommand } from "./report/command.ts";
import { createReportHandler } from "./report/method.ts";
import type { LedgerRow } from "./store/columns.ts";
import { LedgerWriter } from "./store/writer.ts";

/*
 * One ledger, read through all five places an operator reads its figures: the CLI table, the
 * gateway method, the Control UI page, the Prometheus counters and the warm-miss log line. Each
 * figure (lost tokens, efficiency, hit %, the unpriced count, missed cost) must read the same
 * everywhere; this is what an operator saw disagree before the figures had one definition.
 */

const NOW = Date.UTC(2026, 11, 7, 12);

const accounting = (
  cause: MissCause,
  expected: number,
  missed: number,
  invalidated: number,
): LedgerRow["cache"] => ({
  affinityId: "aff-1",
  expected,
  missed,
  invalidated,
  cause,
  divergedAt: cause === "prefix_history" ? 3 : null,
  missedCostNano: missed > 0 ? missed * 1_125 : 0,
});

/** Calls of two agents: hits, misses, a prompt change (invalidated only), unpriced and autorouted. */
const ROWS: LedgerRow[] = [
  { ...call(0, "main", 1024, 3072), cache: accounting("cold", 0, 0, 0) },
  { ...call(1, "main", 3072, 1024), cache: accounting("none", 3072, 0, 0) },
  { ...call(2, "main", 2048, 2048), cache: accounting("prefix_history", 2048, 0, 384) },
  { ...call(3, "ops", 1024, 3072), cache: accounting("ttl_expired", 3072, 2048, 0) },
  {
    // Priced in part: a token kind without a price.
    ...call(4, "ops", 3000, 1100, { model: "auto", routedModel: "gpt-5.5", costState: "partial" }),
    cache: accounting("replica_switch", 3072, 72, 128),
  },
  // No price at all: its cost is unknown, and it counts as unpriced everywhere.
  {
    ...call(5, "ops", 512, 3584, {
      model: "mystery-1",
      costNano: null,
      costState: "unknown",
      costSource: null,
      savingNano: null,
    }),
    cache: undefined,
  },
];

function call(
  i: number,
  agentId: string,
  cacheRead: number,
  input: number,
  over: Partial<LedgerRow> = {},
): LedgerRow {
  return sampleRecord({
    eventId: `e${i}`,
    callId: `run-${i}:model:1`,
    ts: NOW - 3_600_000 + i * 400_000,
    agentId,
    sessionKey: `agent:${agentId}:main`,
    usage: normalizeUsage({ input, output: 20, cacheRead, cacheWrite: 0 }),
    ...over,
  });
}

function scrape(handler: ReturnType<typeof metricsHandler>): string {
  const req = Object.assign(Readable.from([]), { method: "GET", url: "/usage-ledger/metrics" });
  let body = "";
  const res = {
    writeHead: () => res,
    end(chunk?: string) {
      body = chunk ?? "";
      return res;
    },
  };
  handler(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  return body;
}

const metric = (text: string, name: string, filter = ""): number =>
  [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, "gm"))]
    .filter((m) => (m[1] ?? "").includes(filter))
    .reduce((sum, m) => sum + Number(m[2]), 0);

describe("every view of the ledger reads the same figures", () => {
  const dir = mkdtempSync(join(tmpdir(), "ledger-figures-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "ledger.sqlite");
  const writer = new LedgerWriter({ path });
  for (const row of ROWS) writer.enqueue(row);
  writer.close();

  const cli = (by: string, extra: { json?: boolean } = {}) => {
    let out = "";
    const code = runReportCommand({ by, since: "1d", ...extra }, path, {
      out: (text) => (out += text),
      err: (text) => (out += text),
      now: NOW,
    });
    expect(code).toBe(0);
    return out;
  };
  const method = (params: Record<string, unknown>): unknown => {
    let answer: unknown;
    const handler = createReportHandler({ dbPath: () => path, flush: () => {} });
    handler({
      params,
      respond: (ok: boolean, payload: unknown) => {
        expect(ok).toBe(true);
        answer = payload;
      },
    } as unknown as Parameters<typeof handler>[0]);
    return answer;
  };

  it("the CLI table, the gateway method and the page", () => {
    // "all": the method reads the real clock, and these rows are dated on purpose.
    const answer = method({ by: "agent", since: "all" });
    const page = readReport(answer).totals;
    const json = JSON.parse(cli("agent", { json: true })).totals;
    expect(json).toEqual((answer as { totals: unknown }).totals);
    // Lost = missed + invalidated, in JSON and on the page.
    expect(json.lostTokens).toBe(2048 + 384 + 72 + 128);
    expect(page.lostTokens).toBe(json.lostTokens);
    const total =
      cli("agent")
        .split("\n")
        .find((line) => line.startsWith("TOTAL")) ?? "";
    const cells = total.split(/\s{2,}/);
    // TOTAL CALLS INPUT OUTPUT READ WRITE HIT% IDEAL% EFF% LOST COST SAVED
    expect(cells[6]).toBe(percentText(json.hitPercent).replace(" %", ""));
    expect(percentText(page.hitPercent)).toBe(`${cells[6]} %`);
    expect(efficiencyText(page.efficiency)).toBe(`${cells[8]} %`);
    expect(cells[9]).toBe(json.lostTokens.toLocaleString("en-US"));
    // The unpriced count beside the cost: the page's figure, and the CLI's note, word for word.
    // The unknown model, and the autorouted call priced in part.
    expect(json.unpricedCalls).toBe(2);
    expect(moneyText(page, "cost")).toMatch(/^≥ \$[\d.]+ \(2 unpriced\)$/);
    for (const note of moneyNoteLines(page)) expect(cli("agent")).toContain(note);
    expect(json.missedCostUsd).toBeCloseTo(((2048 + 72) * 1_125) / 1e9, 9);
  });

  it("the top cause is the cause that lost the group the most tokens, as LOST counts them", () => {
    const rows = JSON.parse(cli("agent", { json: true })).rows as Array<Record<string, unknown>>;
    const main = rows.find((row) => row.key === "main");
    // main lost only to a prompt change (invalidated): its LOST is that, and so is its cause.
    expect(main).toMatchObject({ lostTokens: 384, topCause: "prefix_history" });
    expect(rows.find((row) => row.key === "ops")).toMatchObject({ topCause: "ttl_expired" });
  });

  it("the Prometheus counters", () => {
    const json = JSON.parse(cli("model", { json: true }));
    const text = scrape(metricsHandler({ dbPath: () => path, warn: () => {}, now: () => NOW }));
    expect(metric(text, "usage_ledger_lost_tokens_total")).toBe(json.totals.lostTokens);
    expect(metric(text, "usage_ledger_unpriced_calls_total")).toBe(json.totals.unpricedCalls);
    expect(metric(text, "usage_ledger_cost_usd_total")).toBeCloseTo(json.totals.costUsd, 9);
    expect(metric(text, "usage_ledger_missed_cost_usd_total")).toBeCloseTo(
      json.totals.missedCostUsd,
      9,
    );
    const efficiency =
      metric(text, "usage_ledger_cache_accounted_read_tokens_total") /
      metric(text, "usage_ledger_cache_expected_tokens_total");
    expect(efficiency).toBeCloseTo(json.totals.efficiency, 12);
    // The model label is the model that served the call, as report --by model groups.
    for (const row of json.rows as Array<{ key: string; calls: number }>) {
      const model = row.key.split("/").slice(1).join("/");
      expect(metric(text, "usage_ledger_calls_total", `,model="${model}"`), row.key).toBe(
        row.calls,
      );
    }
    expect(metric(text, "usage_ledger_calls_total", 'requested_model="auto"')).toBe(1);
  });

  it("the warm-miss log line", () => {
    const lines: string[] = [];
    let clock = 0;
    const log = missLogger({ thresholdTokens: 1, warn: (m) => lines.push(m), now: () => clock });
    for (const row of ROWS) {
      clock += 61_000;
      log(row);
    }
    const logged = lines.reduce((sum, line) => sum + Number(/lost (\d+)/.exec(line)?.[1] ?? 0), 0);
    expect(logged).toBe(JSON.parse(cli("agent", { json: true })).totals.lostTokens);
  });
});
