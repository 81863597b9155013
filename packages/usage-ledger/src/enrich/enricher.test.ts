import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import { RouteReader, routeStorePath } from "@cloudsigma/taas-core/contracts/route-store";
import type { CallRoute } from "@cloudsigma/taas-core/usage/routed-pricing";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../../test-support/temp-dirs.ts";
import { geometryLookup } from "../cache/geometry.ts";
import type { StoredCall } from "../cache/history.ts";
import { parseLedgerConfig } from "../config.ts";
import type { LedgerRow } from "../store/columns.ts";
import { RowEnricher } from "./enricher.ts";
import { ReadFailures } from "./read-failures.ts";
import { routeSourceOf } from "./route-price.ts";

const tempDir = useTempDirs("row-enricher");
const geometry = geometryLookup(parseLedgerConfig({}));

/** One conversation: call n's prompt is the system message and 2n messages, 3000n tokens. */
function call(n: number, read: number, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return sampleRecord({
    eventId: `call:c${n}`,
    callId: `c${n}`,
    ts: n * 1000,
    usage: normalizeUsage({ input: 3000 * n - read, output: 5, cacheRead: read }),
    ...overrides,
  });
}
const prefixOf = (callId: string): PromptPrefix => ({
  segments: ["sys", ...Array.from({ length: 2 * Number(callId.slice(1)) }, (_, i) => `m${i}`)].map(
    (d): [string, number] => [d, 100],
  ),
  tools: 0,
  system: 1,
});

function enricher(
  routes: Record<string, CallRoute>,
  stored: (id: string, ts: number) => StoredCall | undefined = () => undefined,
) {
  const warnings: string[] = [];
  const failures = new ReadFailures((m) => warnings.push(m));
  const e = new RowEnricher({
    routes: { route: (id) => routes[id], prefix: prefixOf },
    cache: { geometry, previousCalls: { before: stored } },
    failures,
  });
  return { e, warnings, failures };
}

const conversation = (upstream: string): CallRoute => ({
  upstream,
  autorouted: false,
  affinityId: "oc:a",
});

describe("RowEnricher", () => {
  it("returns a new row for each record, and compares each call with the one before it", () => {
    const { e } = enricher({
      c1: conversation("replica-1"),
      c2: conversation("replica-1"),
      c3: conversation("replica-2"),
    });
    const records = [call(1, 0), call(2, 2944), call(3, 0)].map((r) => Object.freeze(r));
    const rows = records.map((r) => e.enrich(r));
    expect(rows.map((r) => [r.upstreamRoute, r.cache?.cause, r.cache?.expected])).toEqual([
      ["replica-1", "cold", 0],
      ["replica-1", "none", 2944],
      ["replica-2", "replica_switch", 5888],
    ]);
    // The queued records are left as the tracker made them.
    expect(records.map((r) => [r.upstreamRoute, "cache" in r])).toEqual([
      [null, false],
      [null, false],
      [null, false],
    ]);
  });

  it("keeps the bounded scope's shard the call went on, and none in the other scopes", () => {
    const { e } = enricher({
      c1: { ...conversation("replica-1"), affinityId: "oc:shard1", affinityShard: 1 },
      c2: conversation("replica-1"),
    });
    expect([call(1, 0), call(2, 0)].map((r) => e.enrich(r).cache?.affinityShard)).toEqual([
      1,
      null,
    ]);
  });

  it("finds the previous call in the ledger after a restart, and accounts a replay the same way", () => {
    const asked: string[] = [];
    const { e } = enricher({ c2: conversation("replica-1") }, (id, ts) => {
      asked.push(`${id}@${ts}`);
      return {
        callId: "c1",
        ts: 1000,
        promptTokens: 3000,
        cacheRead: 0,
        cacheWrite: 0,
        upstream: "replica-1",
      };
    });
    expect(e.enrich(call(2, 2944)).cache).toMatchObject({ cause: "none", expected: 2944 });
    expect(e.enrich(call(2, 2944)).cache).toMatchObject({ cause: "none", expected: 2944 });
    expect(asked).toEqual(["oc:a@2000", "oc:a@2000"]);
  });

  it("gives no cause without the optimizer's capture, and none to a run row", () => {
    const { e } = enricher({});
    expect(e.enrich(call(1, 0)).cache).toEqual({
      affinityId: null,
      affinityShard: null,
      expected: null,
      missed: null,
      invalidated: null,
      cause: "unknown",
      divergedAt: null,
      beyondPlateau: null,
      missedCostNano: null,
    });
    const run = e.enrich(sampleRecord({ granularity: "run", callId: null }));
    expect(run.cache).toMatchObject({ affinityId: null, cause: null });
  });

  it("learns a model's plateau from its calls, notes each change on its row, and remembers it after a restart", () => {
    const routes = { c1: conversation("r1"), c2: conversation("r1"), c3: conversation("r1") };
    const { e } = enricher(routes);
    // c2 shares 2,944 tokens with c1 and reads 2,048: where this model's reads stop.
    const rows = [call(1, 0), call(2, 2048), call(3, 2048)].map((r) => e.enrich(r).cache);
    expect(rows.map((c) => [c?.cause, c?.missed, c?.beyondPlateau, c?.learnedPlateau])).toEqual([
      ["cold", 0, 0, undefined],
      ["plateau", 0, 896, 2048],
      ["plateau", 0, 5888 - 2048, undefined],
    ]);

    // After a restart, autorouted calls TaaS routed to gpt-5.5: that model's plateau applies.
    const stored = [{ provider: "cloudsigma", model: "gpt-5.5", tokens: 4864 }];
    const autorouted: CallRoute = {
      ...conversation("r1"),
      autorouted: true,
      routedModel: "cloudsigma/gpt-5.5",
    };
    const restarted = new RowEnricher({
      routes: { route: () => autorouted, prefix: prefixOf },
      cache: { geometry, previousCalls: { before: () => undefined }, storedPlateaus: () => stored },
    });
    restarted.enrich(call(1, 0, { model: "auto" }));
    // Far under the plateau an earlier process learned: a miss, not a new plateau.
    expect(restarted.enrich(call(2, 2048, { model: "auto" })).cache).toMatchObject({
      cause: "upstream",
      missed: 896,
    });
  });

  it("keeps a row's cache columns when the ledger keeps no cache accounting", () => {
    const given = {
      ...call(1, 0),
      cache: {
        affinityId: "x",
        expected: 1,
        missed: 0,
        invalidated: 0,
        cause: "none",
        divergedAt: null,
      },
    } satisfies LedgerRow;
    expect(new RowEnricher({}).enrich(given).cache).toEqual(given.cache);
  });

  it("says once per kind that the route store cannot be read, and still finishes every row", () => {
    const stateDir = tempDir();
    const store = routeStorePath(stateDir);
    mkdirSync(dirname(store), { recursive: true });
    writeFileSync(store, Buffer.alloc(8192, 0x5a)); // the optimizer's file, overwritten
    const reader = new RouteReader(stateDir);
    const warnings: string[] = [];
    const failures = new ReadFailures((m) => warnings.push(m));
    const e = new RowEnricher({
      routes: routeSourceOf(reader),
      cache: { geometry, previousCalls: { before: () => undefined } },
      failures,
    });
    const rows = [1, 2, 3].map((n) => e.enrich(call(n, 0)));
    reader.close();
    expect(rows.map((r) => [r.upstreamRoute, r.cache?.cause])).toEqual([
      [null, "unknown"],
      [null, "unknown"],
      [null, "unknown"],
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^route store read failed \(corrupt: file is not a database\); calls are recorded without their upstream/,
      ),
    ]);
    expect(failures.counts()).toEqual({ "route store: corrupt": 3 });
  });

  it("says so when the ledger's previous call cannot be read, and accounts the call as cold", () => {
    const { e, warnings, failures } = enricher({ c2: conversation("replica-1") }, () => {
      throw Object.assign(new Error("database is locked"), { errcode: 5 });
    });
    expect(e.enrich(call(2, 0)).cache?.cause).toBe("cold");
    expect(warnings).toEqual([
      expect.stringMatching(/^ledger read failed \(busy: database is locked\)/),
    ]);
    expect(failures.counts()).toEqual({ "ledger: busy": 1 });
  });
});
