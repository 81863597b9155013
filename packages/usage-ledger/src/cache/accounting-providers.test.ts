import { describe, expect, it } from "vitest";
import { call, geometry, next, prefix } from "./accounting.test-support.ts";
import { accountCall, type CallObservation } from "./accounting.ts";
import type { CacheGeometry } from "./geometry.ts";

// How each provider family's cache is accounted. A long conversation: the previous prompt of
// 13,000 tokens holds 12,928 cacheable ones, and this call appends to it.
const before = call({ promptTokens: 13_000, upstream: undefined });
const shared = 12_928;
const warm = (overrides: Partial<CallObservation>) =>
  next({ promptTokens: 14_000, upstream: undefined, ...overrides });
/** The host rewrote the previous turn's last message: the shared length is an estimate. */
const rewritten = (overrides: Partial<CallObservation>) =>
  warm({ prefix: prefix({ history: ["U1", "a1", "u2"] }), ...overrides });
const openai = (plateauTokens: number | null): CacheGeometry => ({ ...geometry, plateauTokens });

describe("an OpenAI-family cache whose reads stop at a plateau", () => {
  it("a configured plateau: a read up to it is not a miss, the rest is beyond the plateau", () => {
    expect(accountCall(warm({ cacheRead: 4864 }), before, openai(4864))).toMatchObject({
      cause: "plateau",
      expected: 4864,
      missed: 0,
      invalidated: 0,
      beyondPlateau: shared - 4864,
    });
  });

  it("learned: the first call that meets the plateau is already not a miss", () => {
    const first = accountCall(warm({ cacheRead: 4864 }), before, openai(null));
    expect(first).toMatchObject({ cause: "plateau", missed: 0, beyondPlateau: shared - 4864 });
    expect(first.learnedPlateau).toBe(4864);
    // Also when the host changed the end of the history (the shared length is estimated).
    const changed = accountCall(rewritten({ cacheRead: 4864 }), before, openai(null));
    expect(changed).toMatchObject({ cause: "plateau", missed: 0, learnedPlateau: 4864 });
  });

  it("learned: a later read that stops higher raises the plateau, one two steps lower keeps it", () => {
    const higher = accountCall(warm({ cacheRead: 4864 }), before, openai(null), 4608);
    expect(higher).toMatchObject({ cause: "plateau", expected: 4864, learnedPlateau: 4864 });
    const toolHeavy = accountCall(warm({ cacheRead: 4608 }), before, openai(null), 4864);
    expect(toolHeavy).toMatchObject({ cause: "plateau", expected: 4608, learnedPlateau: 4864 });
  });

  it.each([
    ["a read further under the plateau", 2048, { learned: 4864, missed: 4864 - 2048 }],
    ["nothing read", 0, { learned: 4864, missed: 4864 }],
    ["a read under a configured plateau", 2048, { learned: undefined, missed: 4864 - 2048 }],
  ])("%s is a miss against the plateau, not against the whole prefix", (_label, read, facts) => {
    const geometryOf = facts.learned === undefined ? openai(4864) : openai(null);
    const result = accountCall(warm({ cacheRead: read }), before, geometryOf, facts.learned);
    expect(result).toMatchObject({
      cause: "replica_unreported",
      expected: 4864,
      missed: facts.missed,
      beyondPlateau: shared - 4864,
      learnedPlateau: facts.learned,
    });
  });

  it("idle past the TTL: an expiry up to the plateau, and the expiry teaches no plateau", () => {
    const idle = warm({ ts: before.ts + 600_000, cacheRead: 0 });
    expect(accountCall(idle, before, openai(null), 4864)).toMatchObject({
      cause: "ttl_expired",
      missed: 4864,
    });
    const partial = warm({ ts: before.ts + 600_000, cacheRead: 2048 });
    expect(accountCall(partial, before, openai(null)).learnedPlateau).toBeUndefined();
  });

  it("a model that reads past the learned plateau has none there: it is forgotten", () => {
    const full = accountCall(warm({ cacheRead: shared }), before, openai(null), 4864);
    expect(full).toMatchObject({ cause: "none", missed: 0, beyondPlateau: 0 });
    expect(full.learnedPlateau).toBeUndefined();
  });

  it("plateauTokens 0: the model has no plateau, a short read is a miss and teaches nothing", () => {
    const result = accountCall(warm({ cacheRead: 4864 }), before, openai(0));
    expect(result).toMatchObject({ cause: "replica_unreported", missed: shared - 4864 });
    expect(result.learnedPlateau).toBeUndefined();
  });
});

describe("a delayed cache (DeepSeek-style: readable a few seconds after it was first sent)", () => {
  const delayed: CacheGeometry = { ...geometry, plateauTokens: 0, readyDelayMs: 5000 };

  it.each([
    ["sooner than the delay: not_ready, not the upstream", 3000, undefined, "not_ready"],
    ["as late as the delay: the provider's", 5000, undefined, "replica_unreported"],
    ["later, same replica named: upstream", 6000, "replica-1", "upstream"],
  ])("%s", (_label, gap, upstream, cause) => {
    const previous = { ...before, upstream };
    const result = accountCall(warm({ ts: before.ts + gap, upstream }), previous, delayed);
    expect(result).toMatchObject({ cause, missed: shared });
  });

  it("a short read sooner than the delay is not taken for a plateau", () => {
    const soon = warm({ ts: before.ts + 3000, cacheRead: 4864 });
    const result = accountCall(soon, before, { ...delayed, plateauTokens: null });
    expect(result).toMatchObject({ cause: "not_ready", missed: shared - 4864 });
    expect(result.learnedPlateau).toBeUndefined();
  });
});

describe("an Anthropic-family cache, which reports its writes", () => {
  // The ledger's default minimum (1,024) under a model whose own is 4,096.
  const anthropic: CacheGeometry = { ...geometry, plateauTokens: 0 };
  const short = call({ promptTokens: 3000, upstream: undefined });

  it("a prompt the provider did not cache (no read, no write) is not expected to be read", () => {
    const written = warm({ promptTokens: 5000, cacheWrite: 4992 });
    expect(accountCall(written, short, anthropic)).toMatchObject({
      cause: "below_minimum",
      expected: 0,
      missed: 0,
      invalidated: 0,
    });
    // Without a write counter (OpenAI) nothing says so: the geometry must (cacheGeometry).
    const unwritten = warm({ promptTokens: 5000 });
    expect(accountCall(unwritten, short, anthropic)).toMatchObject({ missed: 2944 });
    expect(accountCall(unwritten, short, { ...anthropic, minTokens: 4096 })).toMatchObject({
      cause: "below_minimum",
      missed: 0,
    });
  });

  it("a warm call reads what the previous call read and wrote; its own write is no miss", () => {
    const previous = { ...before, cacheRead: 12_544, cacheWrite: 384 };
    const result = accountCall(warm({ cacheRead: shared, cacheWrite: 896 }), previous, anthropic);
    expect(result).toMatchObject({ cause: "none", expected: shared, missed: 0, invalidated: 0 });
  });
});
