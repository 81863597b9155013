import {
  type KeepWarmPing,
  type KeepWarmVerdict,
  pingAfterMs,
} from "@cloudsigma/taas-core/contracts/keep-warm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseOptimizerConfig } from "../config.ts";
import { MAX_KEEP_WARM_CONVERSATIONS, NO_HISTORY_LIFETIMES } from "./config.ts";
import { type KeepWarmConfig, KeepWarmPinger, type PingAnswer } from "./pinger.ts";

const TTL_S = 60;
const AFTER = pingAfterMs(TTL_S * 1000);
const USAGE = { input: 0, output: 1, cacheRead: 4096, cacheWrite: 0 };

interface Harness {
  pinger: KeepWarmPinger;
  pings: KeepWarmPing[];
  sent: string[];
  warnings: string[];
  observe: (affinityId: string, options?: { agentId?: string; sessionId?: string }) => void;
}

function harness(
  over: Partial<KeepWarmConfig> = {},
  verdict: (agentId: string) => KeepWarmVerdict | undefined = () => undefined,
  answer: () => Promise<PingAnswer> = async () => ({ usage: USAGE }),
): Harness {
  const config = {
    ...parseOptimizerConfig({ keepWarm: { enabled: true, ttlSeconds: TTL_S } }).keepWarm,
    ...over,
  } as KeepWarmConfig;
  const pings: KeepWarmPing[] = [];
  const sent: string[] = [];
  const warnings: string[] = [];
  let n = 0;
  const pinger = new KeepWarmPinger({
    config,
    verdict,
    report: (ping) => pings.push(ping),
    warn: (m) => warnings.push(m),
    newCallId: () => `keepwarm-${++n}:model:1`,
  });
  const observe: Harness["observe"] = (affinityId, options = {}) =>
    pinger.observe({
      affinityId,
      agentId: options.agentId ?? "main",
      sessionId: options.sessionId ?? "s1",
      provider: "cloudsigma",
      model: "gpt-5.5",
      resend: async (callId) => {
        sent.push(`${affinityId} ${callId}`);
        return answer();
      },
    });
  return { pinger, pings, sent, warnings, observe };
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 8, 1) });
});
afterEach(() => vi.useRealTimers());

describe("keep-warm pinger", () => {
  it("pings an idle conversation after the TTL less the margin, at most maxPingsPerGap per gap", async () => {
    const h = harness({ maxPingsPerGap: 2 });
    h.observe("oc:a");
    await vi.advanceTimersByTimeAsync(AFTER - 1);
    expect(h.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.sent).toEqual(["oc:a keepwarm-1:model:1"]);
    await vi.advanceTimersByTimeAsync(10 * AFTER);
    expect(h.sent).toHaveLength(2);
    expect(h.pings.map((p) => [p.agentId, p.model, p.outcome, p.usage])).toEqual([
      ["main", "gpt-5.5", "completed", USAGE],
      ["main", "gpt-5.5", "completed", USAGE],
    ]);
  });

  it("starts a new gap on every request, and pings nobody whose session ended", async () => {
    const h = harness({ maxPingsPerGap: 1 });
    h.observe("oc:a");
    h.observe("oc:b", { sessionId: "s2" });
    await vi.advanceTimersByTimeAsync(AFTER - 1000);
    h.observe("oc:a");
    h.pinger.endSession("s2");
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(AFTER);
    expect(h.sent).toEqual(["oc:a keepwarm-1:model:1"]);
    expect(h.pinger.conversations).toBe(1);
  });

  it.each([
    ["pays, 1 per gap", { pingsPerGap: 1, basis: "pays" } as const, 1],
    ["does not pay", { pingsPerGap: 0, basis: "does_not_pay" } as const, 0],
    ["unknown price", { pingsPerGap: 0, basis: "unknown_price" } as const, 0],
    // No history: pinged while the conversation was active within the last few lifetimes.
    [
      "no history",
      { pingsPerGap: 0, basis: "no_history" } as const,
      [1, 2, 3, 4, 5].filter((i) => i * AFTER < NO_HISTORY_LIFETIMES * TTL_S * 1000).length,
    ],
  ])("follows the advisor's verdict (%s)", async (_label, verdict, expected) => {
    const h = harness({ maxPingsPerGap: 5 }, () => verdict);
    h.observe("oc:a");
    await vi.advanceTimersByTimeAsync(20 * AFTER);
    expect(h.sent).toHaveLength(expected);
  });

  it("says a failed ping once per conversation and does not retry it in that gap", async () => {
    const h = harness({ maxPingsPerGap: 3 }, undefined, async () => ({
      usage: undefined,
      error: "HTTP 401",
    }));
    h.observe("oc:a");
    await vi.advanceTimersByTimeAsync(5 * AFTER);
    expect(h.sent).toHaveLength(1);
    expect(h.pings.map((p) => p.outcome)).toEqual(["error"]);
    h.observe("oc:a");
    await vi.advanceTimersByTimeAsync(5 * AFTER);
    expect(h.sent).toHaveLength(2);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toContain("HTTP 401");
  });

  it("stops at the daily cap, said once", async () => {
    const h = harness({ maxPingsPerGap: 1, maxPingsPerDay: 2 });
    for (const id of ["oc:a", "oc:b", "oc:c"]) h.observe(id);
    await vi.advanceTimersByTimeAsync(2 * AFTER);
    expect(h.sent).toHaveLength(2);
    expect(h.warnings.filter((w) => w.includes("daily cap"))).toHaveLength(1);
  });

  it("follows a bounded number of conversations, the least recently active dropped", async () => {
    const h = harness({ maxPingsPerGap: 1, maxPingsPerDay: 100_000 });
    for (let i = 0; i <= MAX_KEEP_WARM_CONVERSATIONS; i++) h.observe(`oc:${i}`);
    expect(h.pinger.conversations).toBe(MAX_KEEP_WARM_CONVERSATIONS);
    await vi.advanceTimersByTimeAsync(AFTER);
    expect(h.sent).toHaveLength(MAX_KEEP_WARM_CONVERSATIONS);
    expect(h.sent.some((s) => s.startsWith("oc:0 "))).toBe(false);
  });

  it.each([
    [{ ttlSeconds: 1 }, "keepWarm.ttlSeconds"],
    [{ maxPingsPerGap: 0 }, "keepWarm.maxPingsPerGap"],
    [{ maxPingsPerDay: -1 }, "keepWarm.maxPingsPerDay"],
    [{ ttl: 300 }, "keepWarm.ttl"],
  ])("refuses %j by name at load", (keepWarm, key) => {
    expect(() => parseOptimizerConfig({ keepWarm })).toThrow(`config key "${key}"`);
  });
});
