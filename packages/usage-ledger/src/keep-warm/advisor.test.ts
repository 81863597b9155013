import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  KEEP_WARM_TRIGGER,
  KeepWarmVerdictReader,
  pingAfterMs,
} from "@cloudsigma/taas-core/contracts/keep-warm";
import type { ModelPrices } from "@cloudsigma/taas-core/usage/model-prices";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { geometryLookup } from "../cache/geometry.ts";
import type { LedgerRow } from "../store/columns.ts";
import { LedgerWriter } from "../store/writer.ts";
import { groupLines, ttlAdviceText } from "./advice-text.ts";
import type { KeepWarmAnswer, KeepWarmGroup } from "./advice-types.ts";
import { MIN_GAPS_TO_DECIDE } from "./advisor.ts";
import { runAdviseCommand } from "./command.ts";
import { KeepWarmPublisher } from "./publisher.ts";
import { readKeepWarm } from "./read.ts";

const TTL_S = 300;
const TTL_MS = TTL_S * 1000;
const PING_AT = pingAfterMs(TTL_MS);
const PRICED: ModelPrices = { input: 1.25, cacheRead: 0.125, output: 10 };
const PROMPT = 20_000;
const LATENCY = 2_000;
/** USD per million tokens as nano-USD per token. */
const nano = (usdPerMillion: number) => usdPerMillion * 1000;
const PING_COST = PROMPT * nano(0.125) + nano(10);
const WARM_SAVING = PROMPT * nano(1.25 - 0.125);
const start = Date.UTC(2026, 11, 1, 8);

interface Conversation {
  agent: string;
  model: string;
  /** Idle gaps between consecutive calls (ms, from the end of one to the start of the next). */
  gaps: number[];
  /** Per gap, when pings went out (ms after the previous call's end). */
  pings?: number[][];
  /** Pings after the last call (the conversation has not come back yet). */
  trailingPings?: number[];
}

// Returns mostly just past the TTL (a ping pays), mostly hours later (none does), too few gaps
// to tell, and a model nobody priced.
const CONVERSATIONS: Conversation[] = [
  {
    agent: "returner",
    model: "m1",
    gaps: [60_000, 90_000, 320_000, 330_000, 400_000, 350_000, 310_000, 7_200_000],
  },
  { agent: "leaver", model: "m1", gaps: [10_800_000, 14_400_000, 9_000_000, 12_000_000] },
  { agent: "newcomer", model: "m1", gaps: [20_000, 500_000] },
  { agent: "unpriced", model: "m9", gaps: [320_000, 330_000, 340_000, 350_000] },
  {
    agent: "pinged",
    model: "m1",
    gaps: [320_000, 90_000],
    pings: [[PING_AT]],
    trailingPings: [PING_AT],
  },
];

function rowsOf(c: Conversation): LedgerRow[] {
  const priced = c.model === "m1";
  const rows: LedgerRow[] = [];
  let ts = start;
  const call = (i: number, gap: number | null, pinged: boolean): LedgerRow => {
    const expired = gap !== null && gap > TTL_MS && !pinged;
    const read = gap === null || expired ? 0 : PROMPT;
    return {
      ...sampleRecord({
        eventId: `${c.agent}:${i}`,
        ts,
        agentId: c.agent,
        model: c.model,
        latencyMs: LATENCY,
        usage: normalizeUsage({ input: PROMPT - read, output: 40, cacheRead: read, cacheWrite: 0 }),
        costNano: priced ? 1_000_000 : null,
        costState: priced ? "known" : "unknown",
        savingNano: priced ? read * nano(1.25 - 0.125) : null,
      }),
      cache: {
        affinityId: `oc:${c.agent}`,
        expected: gap === null ? 0 : PROMPT,
        missed: gap === null ? 0 : PROMPT - read,
        invalidated: 0,
        cause: gap === null ? "cold" : expired ? "ttl_expired" : "none",
        divergedAt: null,
        missedCostNano: priced ? (PROMPT - read) * nano(1.25 - 0.125) : null,
      },
    };
  };
  const pingRow = (id: string, at: number): LedgerRow => ({
    ...sampleRecord({
      eventId: `${c.agent}:ping:${id}`,
      ts: at,
      agentId: c.agent,
      model: c.model,
      trigger: KEEP_WARM_TRIGGER,
      latencyMs: 500,
      usage: normalizeUsage({ input: 0, output: 1, cacheRead: PROMPT, cacheWrite: 0 }),
      costNano: PING_COST,
      costState: "known",
    }),
    cache: {
      affinityId: `oc:${c.agent}`,
      expected: PROMPT,
      missed: 0,
      invalidated: 0,
      cause: "none",
      divergedAt: null,
    },
  });
  rows.push(call(0, null, false));
  c.gaps.forEach((gap, g) => {
    const end = ts + LATENCY;
    const pings = c.pings?.[g] ?? [];
    rows.push(...pings.map((at, p) => pingRow(`${g}:${p}`, end + at)));
    ts = end + gap;
    rows.push(call(g + 1, gap, pings.length > 0));
  });
  for (const at of c.trailingPings ?? []) rows.push(pingRow(`end:${at}`, ts + LATENCY + at));
  return rows;
}

let dir: string;
let dbPath: string;
let answer: KeepWarmAnswer;
const lookups = () => ({
  geometry: geometryLookup({
    cacheMinTokens: 1024,
    cacheStepTokens: 128,
    cacheTtlSeconds: TTL_S,
    cacheGeometry: {},
  }),
  prices: (_provider: string, model: string) => (model === "m1" ? PRICED : undefined),
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ledger-keepwarm-"));
  dbPath = join(dir, "ledger.sqlite");
  const writer = new LedgerWriter({ path: dbPath });
  for (const c of CONVERSATIONS) for (const row of rowsOf(c)) writer.enqueue(row);
  writer.close();
  answer = readKeepWarm(dbPath, { since: start - 1, until: start + 30 * 86_400_000 }, lookups());
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function group(agent: string): KeepWarmGroup {
  const found = answer.groups.find((g) => g.agent === agent);
  if (!found) throw new Error(`no advice for ${agent}`);
  return found;
}

const conversation = (agent: string): Conversation => {
  const found = CONVERSATIONS.find((c) => c.agent === agent);
  if (!found) throw new Error(`no conversation ${agent}`);
  return found;
};

describe("keep-warm advisor over ledger rows", () => {
  it("measures each agent's idle gaps and what ttl_expired cost it", () => {
    for (const c of CONVERSATIONS) {
      const g = group(c.agent);
      expect(g.gaps).toBe(c.gaps.length);
      const expired = c.gaps.filter((gap, i) => gap > TTL_MS && !c.pings?.[i]?.length);
      expect(g.ttlExpired.calls).toBe(expired.length);
      expect(g.ttlExpired.tokens).toBe(expired.length * PROMPT);
      expect(g.histogram.reduce((s, b) => s + b.gaps, 0)).toBe(c.gaps.length);
      expect(g.histogram[0]?.gaps).toBe(c.gaps.filter((gap) => gap <= TTL_MS).length);
    }
    expect(group("returner").ttlExpired.costNano).toBe(6 * PROMPT * nano(1.25 - 0.125));
    // Nobody priced m9: its loss is unknown, not $0.
    expect(group("unpriced").ttlExpired.costNano).toBeNull();
    expect(group("unpriced").ttlExpired.unpricedCalls).toBe(4);
  });

  it("advises a ping where the agent comes back within the next lifetime often enough", () => {
    const c = conversation("returner");
    const g = group("returner");
    const idle = c.gaps.filter((gap) => gap > PING_AT);
    const saved = idle.filter((gap) => gap > TTL_MS && gap <= PING_AT + TTL_MS);
    expect(g.returnChance[0]).toBeCloseTo(saved.length / idle.length);
    expect((saved.length / idle.length) * WARM_SAVING).toBeGreaterThan(PING_COST);
    expect(g.basis).toBe("pays");
    expect(g.pingCostNano).toBeCloseTo(PING_COST);
    expect(g.warmSavingNano).toBeCloseTo(WARM_SAVING);
    // A second ping would go out after 2 x PING_AT: too few gaps last that long to decide it.
    expect(c.gaps.filter((gap) => gap > 2 * PING_AT).length).toBeLessThan(MIN_GAPS_TO_DECIDE);
    expect(g.pingsPerGap).toBe(1);
    // Replayed over the history (within one day): one ping per gap past PING_AT.
    expect(g.expectedNetPerDayNano).toBeCloseTo(
      saved.length * WARM_SAVING - idle.length * PING_COST,
    );
    expect(groupLines(g).join("\n")).toContain(
      `keepWarm { enabled: true, ttlSeconds: ${TTL_S}, maxPingsPerGap: 1 }`,
    );
  });

  it("advises none where history says pings do not pay, or cannot tell", () => {
    expect(group("leaver")).toMatchObject({
      basis: "does_not_pay",
      pingsPerGap: 0,
      returnChance: [0],
    });
    expect(group("leaver").expectedNetPerDayNano).toBe(0);
    expect(group("newcomer")).toMatchObject({ basis: "no_history", pingsPerGap: 0 });
    expect(group("unpriced")).toMatchObject({
      basis: "unknown_price",
      pingsPerGap: 0,
      pingCostNano: null,
    });
    expect(groupLines(group("unpriced")).join("\n")).toContain("? missed");
  });

  it("counts the pings it finds and what the warm return after them saved", () => {
    const g = group("pinged");
    const c = conversation("pinged");
    const pings = (c.pings ?? []).flat().length + (c.trailingPings ?? []).length;
    // The ping after the last call is paid for and has saved nothing yet.
    expect(g.pings).toMatchObject({
      count: pings,
      costNano: pings * PING_COST,
      warmReturns: 1,
      savedNano: WARM_SAVING,
    });
    expect(g.pings.netNano).toBeCloseTo(WARM_SAVING - pings * PING_COST);
    // The ping is not a conversation call: the gap it sat in is still one gap.
    expect(g.gaps).toBe(conversation("pinged").gaps.length);
    expect(groupLines(g).join("\n")).toMatch(
      new RegExp(`keepwarm pings: ${pings}, cost \\$[\\d.]+; 1 warm returns`),
    );
  });

  it("names the agents where it pays under ttl_expired", () => {
    expect(ttlAdviceText(answer.groups)).toMatch(
      /^Keep warm pays for returner cloudsigma\/m1 \(1 per gap/,
    );
  });

  it("prints the same advice in the CLI, as text and as JSON", () => {
    let out = "";
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: () => {},
      now: start + 86_400_000,
    };
    expect(runAdviseCommand({ since: "all", json: true }, dbPath, lookups, io)).toBe(0);
    expect(JSON.parse(out).groups).toEqual(answer.groups);
    out = "";
    expect(runAdviseCommand({ since: "all", agent: "returner" }, dbPath, lookups, io)).toBe(0);
    for (const line of groupLines(group("returner"))) expect(out).toContain(line);
    expect(out).not.toContain("leaver");
    let err = "";
    expect(
      runAdviseCommand({ since: "soon" }, dbPath, lookups, {
        ...io,
        err: (t) => {
          err += t;
        },
      }),
    ).toBe(2);
    expect(err).toContain("usage-ledger advise: ");
  });

  it("publishes each agent's verdict through the keep-warm seam for the pinger", async () => {
    const warnings: string[] = [];
    const publisher = new KeepWarmPublisher({
      dbPath: () => dbPath,
      stateDir: () => dir,
      lookups,
      everyMs: 60_000,
      flush: () => {},
      warn: (m) => warnings.push(m),
      now: () => start + 86_400_000,
    });
    await publisher.publish();
    const reader = new KeepWarmVerdictReader(dir);
    expect(
      Object.fromEntries(CONVERSATIONS.map((c) => [c.agent, reader.verdict(c.agent)])),
    ).toEqual(
      Object.fromEntries(
        CONVERSATIONS.map((c) => [
          c.agent,
          { pingsPerGap: group(c.agent).pingsPerGap, basis: group(c.agent).basis },
        ]),
      ),
    );
    expect(reader.verdict("returner")).toEqual({ pingsPerGap: 1, basis: "pays" });
    expect(warnings).toEqual([]);
  });
});
