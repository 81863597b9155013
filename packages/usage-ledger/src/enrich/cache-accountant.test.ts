import type { PromptPrefix, RouteCapture } from "@cloudsigma/taas-core/contracts/route-store";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../../test-support/temp-dirs.ts";
import { geometryLookup } from "../cache/geometry.ts";
import { parseLedgerConfig } from "../config.ts";
import { LedgerWriter } from "../store/writer.ts";
import { CacheAccountant } from "./cache-accountant.ts";
import { routeOfCapture } from "./route-price.ts";

const dir = useTempDirs("row-enrichment");

/** One conversation: each call appends two messages to the previous prompt. */
const prefixes = new Map<string, PromptPrefix>();
const captures = new Map<string, RouteCapture>();
function turn(n: number, upstream: string, read: number, prompt = 2000 * n) {
  const callId = `run-${n}:model:1`;
  const messages = Array.from({ length: 2 * n }, (_, i) => `m${i}`);
  prefixes.set(callId, {
    segments: ["sys", ...messages].map((d): [string, number] => [d, 100]),
    tools: 0,
    system: 1,
  });
  captures.set(callId, {
    capturedAt: new Date(n * 1000).toISOString(),
    affinityId: "oc:conversation",
    provider: "cloudsigma",
    model: "gpt-5.5",
    status: 200,
    autorouted: false,
    upstream,
  });
  return sampleRecord({
    eventId: `call:${callId}`,
    callId,
    ts: Date.UTC(2026, 10, 20, 10, n),
    usage: normalizeUsage({ input: prompt - read, output: 5, cacheRead: read, cacheWrite: 0 }),
  });
}

function ledger(path: string, warnings: string[] = [], prices = { input: 1.25, cacheRead: 0.125 }) {
  const config = parseLedgerConfig({ missLogTokens: 1000 });
  return new LedgerWriter({
    path,
    logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    routeLookup: (callId) => routeOfCapture(captures.get(callId)),
    accountant: new CacheAccountant({
      prefixOf: (callId) => prefixes.get(callId),
      prices: () => prices,
      geometry: geometryLookup(config),
      onAccounted: (row, accounting) => {
        if ((accounting.missed ?? 0) > 1000) warnings.push(`${row.agentId} ${accounting.cause}`);
      },
    }),
  });
}

describe("cache accounting in the ledger writer", () => {
  it("stores each call's route, affinity id and cause, also across a writer restart", () => {
    const path = `${dir()}/ledger.sqlite`;
    const first = ledger(path);
    first.enqueue(turn(1, "replica-1", 0));
    first.enqueue(turn(2, "replica-1", 1920));
    first.close();
    // A restarted gateway finds the previous call of the id in the ledger itself.
    const warnings: string[] = [];
    const second = ledger(path, warnings);
    second.enqueue(turn(3, "replica-2", 0));
    second.close();
    const db = openDatabase(path, { readOnly: true });
    const rows = db
      .prepare(
        "SELECT call_id, upstream_route, affinity_id, expected_cache_read, missed_tokens, miss_cause, missed_cost_nusd FROM usage_rows ORDER BY ts",
      )
      .all();
    db.close();
    expect(rows).toEqual([
      {
        call_id: "run-1:model:1",
        upstream_route: "replica-1",
        affinity_id: "oc:conversation",
        expected_cache_read: 0,
        missed_tokens: 0,
        miss_cause: "cold",
        missed_cost_nusd: 0,
      },
      {
        call_id: "run-2:model:1",
        upstream_route: "replica-1",
        affinity_id: "oc:conversation",
        expected_cache_read: 1920,
        missed_tokens: 0,
        miss_cause: "none",
        missed_cost_nusd: 0,
      },
      {
        call_id: "run-3:model:1",
        upstream_route: "replica-2",
        affinity_id: "oc:conversation",
        expected_cache_read: 3968,
        missed_tokens: 3968,
        miss_cause: "replica_switch",
        // Billed as uncached input ($1.25/M) instead of a cache read ($0.125/M).
        missed_cost_nusd: 3968 * 1125,
      },
    ]);
    expect(warnings).toEqual(["main replica_switch"]);
  });

  it("leaves a missed cost the row cannot hold exactly unknown, and still stores the row", () => {
    const path = `${dir()}/ledger.sqlite`;
    // Prompts within what one usage report may hold, at the highest price believed.
    const writer = ledger(path, [], { input: 10_000, cacheRead: 0 });
    writer.enqueue(turn(1, "replica-1", 0, 4e9));
    writer.enqueue(turn(2, "replica-2", 0, 8e9));
    writer.close();
    const db = openDatabase(path, { readOnly: true });
    const rows = db
      .prepare("SELECT call_id, miss_cause, missed_cost_nusd FROM usage_rows ORDER BY ts")
      .all();
    db.close();
    expect(rows).toEqual([
      { call_id: "run-1:model:1", miss_cause: "cold", missed_cost_nusd: 0 },
      { call_id: "run-2:model:1", miss_cause: "replica_switch", missed_cost_nusd: null },
    ]);
  });
});
