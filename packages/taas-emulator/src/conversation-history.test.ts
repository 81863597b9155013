import { describe, expect, it } from "vitest";
import { ConversationHistory, type PromptShape } from "./conversation-history.ts";
import { type PrefixBoundary, prefixBoundaries } from "./prefix-cache.ts";

const geometry = { minTokens: 16, stepTokens: 8 };

/** Prompts with the same salt share their tokens from the start: a longer one extends a shorter. */
function prompt(length: number, salt: number): PrefixBoundary[] {
  const tokens = Uint32Array.from({ length }, (_, i) => i + salt * 1_000);
  return prefixBoundaries(tokens, geometry);
}

function shape(label: string, cacheableTokens: number): PromptShape {
  return { segmentIds: [label], toolCount: 0, systemCount: 0, cacheableTokens };
}

const deepest = (boundaries: PrefixBoundary[]) => boundaries.at(-1)?.tokens ?? 0;

describe("ConversationHistory", () => {
  it("knows a keyed conversation after its first request, with its deepest prefix and prompt", () => {
    const history = new ConversationHistory(1_000, 1_000);
    const first = prompt(40, 1);
    expect(history.match("k", first, 0)).toMatchObject({ known: false, ideal: null });
    history.record("k", first, shape("first", deepest(first)), 0);
    const grown = prompt(80, 1);
    const match = history.match("k", grown, 1);
    expect(match).toMatchObject({ keyless: false, known: true, previous: shape("first", 40) });
    expect(match.ideal?.tokens).toBe(40);
    expect(history.match("other", first, 1).known).toBe(false);
  });

  it("forgets a conversation ttlMs after it last sent", () => {
    const ttl = 1_000;
    const history = new ConversationHistory(ttl, 1_000);
    const boundaries = prompt(40, 1);
    history.record("k", boundaries, shape("p", 40), 0);
    expect(history.match("k", boundaries, ttl - 1).ideal?.tokens).toBe(40);
    expect(history.match("k", boundaries, ttl).known).toBe(false);
    expect(history.blocks).toBe(0);
  });

  it("forgets the least recently active conversations whole past its capacity", () => {
    const [a, b, c] = [1, 2, 3].map((salt) => prompt(40, salt));
    if (a === undefined || b === undefined || c === undefined) throw new Error("unreachable");
    const capacity = 2 * (1 + a.length);
    const history = new ConversationHistory(60_000, capacity);
    history.record("a", a, shape("a", 40), 0);
    history.record("b", b, shape("b", 40), 1);
    history.record("a", a, shape("a", 40), 2); // a is now more recent than b
    history.record("c", c, shape("c", 40), 3);
    expect(history.blocks).toBeLessThanOrEqual(capacity);
    expect(history.match("b", b, 4).known).toBe(false);
    expect(history.match("a", a, 4).ideal?.tokens).toBe(40);
    expect(history.match("c", c, 4).ideal?.tokens).toBe(40);
  });

  it("keeps a conversation that alone outgrows the capacity, dropping its oldest sends", () => {
    const history = new ConversationHistory(60_000, 3);
    const boundaries = prompt(64, 1);
    history.record("k", boundaries, shape("p", 64), 0);
    expect(history.blocks).toBe(3);
    expect(history.match("k", boundaries, 1)).toMatchObject({ known: true });
    expect(history.match("k", boundaries, 1).ideal?.tokens).toBe(64);
  });

  it("pools keyless requests and compares with the latest one that sent the deepest shared prefix", () => {
    const history = new ConversationHistory(60_000, 1_000);
    const alpha = prompt(64, 1);
    const beta = prompt(48, 2);
    history.record(null, alpha, shape("alpha", 64), 0);
    history.record(null, beta, shape("beta", 48), 1);
    const alphaAgain = prompt(80, 1);
    const match = history.match(null, alphaAgain, 2);
    expect(match).toMatchObject({ keyless: true, known: true, previous: shape("alpha", 64) });
    expect(match.ideal?.tokens).toBe(64);
    expect(history.match(null, prompt(40, 3), 2)).toMatchObject({ known: false, previous: null });
    expect(history.match("k", alpha, 2).known).toBe(false);
  });
});
