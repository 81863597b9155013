import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { MISS_CAUSES } from "../cache/accounting.ts";
import { HOUR_MS } from "../report/groups.ts";
import { readReport } from "../report/read.ts";
import type { ReportTotals } from "../report/totals.ts";
import type { LedgerRow } from "../store/columns.ts";
import { LedgerWriter } from "../store/writer.ts";

/**
 * A simulated gateway's local ledger: `count` rows spread evenly over [start, start + spanMs),
 * varied in agent, session, model (some autorouted), trigger, upstream, outcome, price state and
 * miss cause, so every report group and every total has more than one value to add up.
 */
export function writeGatewayLedger(
  path: string,
  options: { gateway: string; count: number; start: number; spanMs?: number; from?: number },
): string {
  const { gateway, count, start } = options;
  const from = options.from ?? 0;
  const step = Math.max(1, Math.floor((options.spanMs ?? 6 * HOUR_MS) / Math.max(1, count)));
  const writer = new LedgerWriter({ path, batchSize: 500 });
  for (let i = from; i < from + count; i++) {
    const expected = i % 3 === 0 ? null : 2_048;
    const missed = expected === null ? null : (i * 37) % 900;
    const row: LedgerRow = {
      ...sampleRecord({
        eventId: `${gateway}:call:${i}`,
        ts: start + (i - from) * step,
        agentId: i % 7 === 0 ? null : `agent-${i % 4}`,
        sessionKey: `agent:a:${gateway}:${i % 11}`,
        trigger: i % 5 === 0 ? "cron" : "user",
        model: i % 2 === 0 ? "auto" : "gpt-5.5",
        routedModel: i % 2 === 0 ? (i % 4 === 0 ? "claude-opus-4.8" : "deepseek-v4") : null,
        upstreamRoute: i % 6 === 0 ? "openai" : null,
        usage: normalizeUsage({ input: 100 + i, output: 7 + (i % 13), cacheRead: (i * 61) % 4096 }),
        costNano: i % 9 === 0 ? null : 1_000 + i * 3,
        costState: i % 9 === 0 ? "unknown" : i % 10 === 0 ? "partial" : "known",
        savingNano: i % 8 === 0 ? null : 500 + i,
        outcome: i % 17 === 0 ? "error" : "ok",
      }),
      cache: {
        affinityId: null,
        expected,
        missed,
        invalidated: expected === null ? null : (i * 13) % 300,
        cause: expected === null ? null : (MISS_CAUSES[i % MISS_CAUSES.length] ?? null),
        divergedAt: null,
        missedCostNano: expected === null || i % 4 === 0 ? null : (missed ?? 0) * 2,
        beyondPlateau: expected === null ? null : i % 50,
      },
    };
    writer.enqueue(row);
  }
  writer.close();
  return path;
}

/** A local ledger's totals over all time, as its own report reads them. */
export const localTotals = (path: string): ReportTotals =>
  readReport(path, { by: "day", since: 0, until: 8_000_000_000_000 }).totals;
