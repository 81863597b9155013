import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelPrices, PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterAll, describe, expect, it } from "vitest";
import { runReportCommand } from "../report/command.ts";
import type { LedgerRow } from "../store/columns.ts";
import { openLedger } from "../store/migrate.ts";
import { ROLLUPS, rebuildRollupSql } from "../store/rollup.ts";
import { LedgerWriter } from "../store/writer.ts";
import { runRepriceCommand } from "./command.ts";
import type { RepricePrices } from "./plan.ts";

const NOW = Date.UTC(2026, 11, 7, 12);
const HOUR = 3_600_000;

// USD per million tokens (illustrative): the operator's gpt-5.5 price, and a listing that
// prices gpt-5.4 and states another gpt-5.5 input price (the config's wins).
const CONFIG: Record<string, ModelPrices> = { "gpt-5.5": { input: 2, output: 8, cacheRead: 0.5 } };
const LISTING: Record<string, ModelPrices> = {
  "gpt-5.5": { input: 99 },
  "gpt-5.4": { input: 3, output: 12 },
};
const lookup =
  (table: Record<string, ModelPrices>): PriceLookup =>
  (provider, model) =>
    provider === "cloudsigma" ? table[model] : undefined;
const PRICES: RepricePrices = { config: lookup(CONFIG), listing: lookup(LISTING) };

const unknown = {
  costNano: null,
  costState: "unknown",
  costSource: null,
  savingNano: null,
} as const;

function call(i: number, over: Partial<LedgerRow> = {}): LedgerRow {
  return sampleRecord({
    eventId: `e${i}`,
    callId: `run-${i}:model:1`,
    runId: `run-${i}`,
    ts: NOW - 2 * HOUR + i * 60_000,
    usage: normalizeUsage({ input: 1000, output: 100, cacheRead: 2000, cacheWrite: 0 }),
    hostCost: {},
    ...unknown,
    ...over,
  });
}

const missedCache = (missed: number): LedgerRow["cache"] => ({
  affinityId: "aff-1",
  expected: 3000,
  missed,
  invalidated: 0,
  cause: "ttl_expired",
  divergedAt: null,
  missedCostNano: null,
});

const ROWS: LedgerRow[] = [
  // Recorded before gpt-5.5 had a price, with 500 missed tokens.
  { ...call(0), cache: missedCache(500) },
  call(1),
  // Priced in part: the cache-read price was missing when it was written.
  call(2, { costNano: 3_000_000, costState: "partial", costSource: "catalog", savingNano: null }),
  // Priced when written (by the host): never changed.
  call(3, { costNano: 398_000, costState: "known", costSource: "host", savingNano: 1 }),
  // Autorouted to gpt-5.4: priced by the listing's gpt-5.4 price; its cache reads have none.
  call(4, { model: "auto", routedModel: "gpt-5.4" }),
  // Nobody prices kimi-k2.6.
  call(5, { model: "kimi-k2.6" }),
  // Outside a --since 1d range.
  call(6, { ts: NOW - 3 * 86_400_000 }),
];

const price = (input: number, output: number, cacheRead: number) =>
  1000 * (1000 * input + 100 * output + 2000 * cacheRead);

describe("usage-ledger reprice", () => {
  const dir = mkdtempSync(join(tmpdir(), "ledger-reprice-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "ledger.sqlite");
  const writer = new LedgerWriter({ path });
  for (const row of ROWS) writer.enqueue(row);
  writer.close();

  const run = (flags: Parameters<typeof runRepriceCommand>[0]) => {
    let out = "";
    let err = "";
    const code = runRepriceCommand(flags, path, () => PRICES, {
      out: (text) => (out += text),
      err: (text) => (err += text),
      now: NOW,
    });
    return { code, out, err };
  };
  const rows = () => {
    const db = openLedger(path);
    try {
      return db.prepare("SELECT * FROM usage_rows ORDER BY id").all() as Array<
        Record<string, unknown>
      >;
    } finally {
      db.close();
    }
  };
  const report = () => {
    let out = "";
    runReportCommand({ since: "all", json: true }, path, {
      out: (text) => (out += text),
      err: () => {},
      now: NOW,
    });
    return JSON.parse(out) as { totals: { unpricedCalls: number; costUsd: number } };
  };

  it("--dry-run prints what it would change and changes nothing", () => {
    const before = rows();
    const { code, out } = run({ since: "1d", dryRun: true });
    expect(code).toBe(0);
    expect(out).toContain("Examined 5 row(s) recorded without a complete price");
    expect(out).toContain("Would reprice 4 row(s):");
    expect(out).toContain("Dry run: nothing was changed.");
    expect(rows()).toEqual(before);
  });

  it("prices what it can, records whose prices did it, and never touches a priced row", () => {
    const before = rows();
    const { code, out } = run({ since: "1d" });
    expect(code).toBe(0);
    expect(out).toContain(
      "  cloudsigma/gpt-5.5  unknown -> known  2 row(s)  cost +$0.0076  (prices: config)",
    );
    expect(out).toContain(
      "  cloudsigma/auto -> gpt-5.4  unknown -> partial  1 row(s)  cost +$0.0042  (prices: listing)",
    );
    expect(out).toContain("  cloudsigma/gpt-5.5  partial -> known  1 row(s)  cost +$0.0008");
    expect(out).toContain(
      "  cloudsigma/auto -> gpt-5.4  partial  1 row(s): no cacheRead price for cloudsigma/gpt-5.4",
    );
    expect(out).toContain("  cloudsigma/gpt-5.5  missed cost priced on 1 row(s)  +$0.00075");
    expect(out).toContain(
      "  cloudsigma/kimi-k2.6  unknown  1 row(s): no input, output, cacheRead price for cloudsigma/kimi-k2.6",
    );
    const after = rows();
    expect(after[0]).toMatchObject({
      cost_nusd: price(2, 8, 0.5),
      cost_state: "known",
      cost_source: "catalog",
      saving_nusd: 2000 * 1.5 * 1000,
      missed_cost_nusd: 500 * 1.5 * 1000,
      repriced_at: NOW,
      repriced_from: "config",
    });
    expect(after[2]).toMatchObject({ cost_nusd: price(2, 8, 0.5), cost_state: "known" });
    expect(after[3]).toEqual(before[3]);
    expect(after[4]).toMatchObject({
      cost_nusd: price(3, 12, 0),
      cost_state: "partial",
      repriced_from: "listing",
    });
    expect(after[5]).toEqual(before[5]);
    expect(after[6]).toEqual(before[6]);
  });

  it("keeps the hourly and daily rollups equal to the raw rows", () => {
    const db = openLedger(path);
    try {
      const dump = () =>
        Object.values(ROLLUPS).map(({ table }) =>
          db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`).all(),
        );
      const kept = dump();
      db.exec(rebuildRollupSql());
      expect(kept).toEqual(dump());
    } finally {
      db.close();
    }
  });

  it("changes nothing when run again over the same range", () => {
    const before = rows();
    const { out } = run({ since: "1d" });
    expect(out).toContain("Examined 2 row(s)");
    expect(out).toContain("Repriced 0 row(s).");
    expect(rows()).toEqual(before);
  });

  it("--model and the default range (all time) reach the older row, once", () => {
    expect(run({ model: "kimi-k2.6" }).out).toContain("Repriced 0 row(s).");
    const { out } = run({ model: "cloudsigma/gpt-5.5" });
    expect(out).toContain(
      "Examined 1 row(s) recorded without a complete price (all time .. now, model cloudsigma/gpt-5.5).",
    );
    expect(out).toContain("Repriced 1 row(s):");
    expect(run({}).out).toContain("Repriced 0 row(s).");
  });

  it("the report no longer counts the repriced rows unpriced", () => {
    // Left: the autorouted call (partial: no cache-read price) and kimi-k2.6.
    expect(report().totals.unpricedCalls).toBe(2);
  });

  it("refuses bad flags with a clear line", () => {
    expect(run({ since: "yesterday" })).toMatchObject({ code: 2 });
    expect(run({ since: "1d", until: "2d" }).err).toContain("--since must be before --until");
    expect(run({ model: " " }).err).toContain("--model must be a model id");
  });
});
