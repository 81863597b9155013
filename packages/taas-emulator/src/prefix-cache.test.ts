import { describe, expect, it } from "vitest";
import { createEmulatorHandler } from "./emulator.ts";
import {
  cacheableLength,
  type PrefixBoundary,
  prefixBoundaries,
  ReplicaPrefixCache,
} from "./prefix-cache.ts";
import { filler, postChat, type UsageShape, usageOf, userMessage } from "./test-support.ts";
import type { EmulatorOptions } from "./types.ts";

const geometry = { minTokens: 1024, stepTokens: 128 };

function tokens(count: number, salt = 0): Uint32Array {
  return Uint32Array.from({ length: count }, (_, i) => (i * 7919 + salt * 104_729) % 200_000);
}

/** A session id with the agent id TaaS needs to honour it. */
function session(id: string, extra: Record<string, unknown> = {}): { metadata: object } {
  return { metadata: { session_id: id, openclaw_correlation: { agent_id: "main" }, ...extra } };
}

async function usageFor(
  handler: ReturnType<typeof createEmulatorHandler>,
  messages: unknown[],
  extra: Record<string, unknown> = session("cache-test"),
): Promise<UsageShape> {
  const { json } = await postChat(handler, { model: "gpt-5.5", messages, ...extra });
  return usageOf(json);
}

describe("cache geometry", () => {
  it("has nothing cacheable below the minimum and floors to the step above it", () => {
    expect(cacheableLength(geometry.minTokens - 1, geometry)).toBe(0);
    expect(cacheableLength(geometry.minTokens, geometry)).toBe(geometry.minTokens);
    expect(cacheableLength(geometry.minTokens + geometry.stepTokens - 1, geometry)).toBe(
      geometry.minTokens,
    );
    expect(cacheableLength(geometry.minTokens + 3 * geometry.stepTokens + 5, geometry)).toBe(
      geometry.minTokens + 3 * geometry.stepTokens,
    );
  });

  it("chains boundary hashes so a boundary identifies its exact prefix", () => {
    const a = prefixBoundaries(tokens(1500), geometry);
    expect(a.map((b) => b.tokens)).toEqual([1024, 1152, 1280, 1408]);
    const changedEarly = tokens(1500);
    changedEarly[3] = 1;
    const b = prefixBoundaries(changedEarly, geometry);
    expect(b.every((boundary, i) => boundary.key !== a[i]?.key)).toBe(true);
    const changedLate = tokens(1500);
    changedLate[1200] = 1;
    const c = prefixBoundaries(changedLate, geometry);
    expect(c.map((x) => x.key === a[c.indexOf(x)]?.key)).toEqual([true, true, false, false]);
  });
});

describe("ReplicaPrefixCache", () => {
  it("misses below the minimum and hits the largest boundary on repeat", () => {
    const cache = new ReplicaPrefixCache(60_000, 1000);
    const short = prefixBoundaries(tokens(geometry.minTokens - 1), geometry);
    expect(cache.lookupAndStore(short, 0)).toBe(0);
    expect(cache.lookupAndStore(short, 1)).toBe(0);
    const long = prefixBoundaries(tokens(2000), geometry);
    expect(cache.lookupAndStore(long, 2)).toBe(0);
    expect(cache.lookupAndStore(long, 3)).toBe(cacheableLength(2000, geometry));
  });

  it("expires entries ttl after their last use, and a hit refreshes them", () => {
    const ttl = 1000;
    const cache = new ReplicaPrefixCache(ttl, 1000);
    const prompt = prefixBoundaries(tokens(1300), geometry);
    cache.lookupAndStore(prompt, 0);
    expect(cache.lookupAndStore(prompt, ttl - 1)).toBe(1280);
    expect(cache.lookupAndStore(prompt, 2 * ttl - 2)).toBe(1280);
    expect(cache.lookupAndStore(prompt, 3 * ttl - 2)).toBe(0);
  });

  it("evicts the least recently used boundaries past its capacity", () => {
    const [a, b, c] = [1, 2, 3].map((salt) => prefixBoundaries(tokens(1300, salt), geometry));
    if (a === undefined || b === undefined || c === undefined) throw new Error("unreachable");
    const cache = new ReplicaPrefixCache(60_000, a.length + b.length);
    cache.store(a, 0);
    cache.store(b, 1);
    cache.store(a, 2); // a is now more recent than b
    cache.store(c, 3);
    expect(cache.size).toBe(a.length + b.length);
    expect(cache.lookup(a, 4)).toBe(cacheableLength(1300, geometry));
    expect(cache.lookup(c, 4)).toBe(cacheableLength(1300, geometry));
    expect(cache.lookup(b, 4)).toBe(0);
  });
});

describe("ReplicaPrefixCache.status", () => {
  const ttl = 1000;
  const [a, b] = [1, 2].map((salt) => prefixBoundaries(tokens(1300, salt), geometry));
  const keyOf = (boundaries: PrefixBoundary[] | undefined) => boundaries?.at(-1)?.key ?? "";

  it.each([
    ["live within the TTL", 0, ttl - 1, "live"],
    ["expired at the TTL, still stored", 0, ttl, "expired"],
  ] as const)("says %s", (_, storedAt, askedAt, status) => {
    const cache = new ReplicaPrefixCache(ttl, 1000);
    cache.store(a ?? [], storedAt);
    expect(cache.status(keyOf(a), askedAt)).toBe(status);
    expect(cache.status(keyOf(b), askedAt)).toBe("unknown");
  });

  it("remembers why an entry left: evicted within its TTL, else expired", () => {
    const cache = new ReplicaPrefixCache(ttl, a?.length ?? 0);
    cache.store(a ?? [], 0);
    cache.store(b ?? [], 1);
    expect(cache.status(keyOf(a), 2)).toBe("evicted");
    expect(cache.status(keyOf(a), ttl)).toBe("expired");
    cache.store(b ?? [], ttl + 5); // drops nothing new: a already left
    expect(cache.status(keyOf(b), ttl + 5)).toBe("live");
    cache.store(a ?? [], ttl + 6);
    expect(cache.status(keyOf(a), ttl + 6)).toBe("live");
    expect(cache.status(keyOf(b), ttl + 7)).toBe("evicted");
  });

  it("marks entries dropped at their TTL as expired, and forgets departures past its capacity", () => {
    const cache = new ReplicaPrefixCache(ttl, a?.length ?? 0);
    cache.store(a ?? [], 0);
    cache.store(b ?? [], ttl); // a's entries expired and are dropped, not evicted
    expect(cache.status(keyOf(a), ttl)).toBe("expired");
    cache.store(a ?? [], 2 * ttl + 1);
    cache.store(b ?? [], 2 * ttl + 2);
    cache.clear();
    expect(cache.status(keyOf(a), 2 * ttl + 3)).toBe("unknown");
  });
});

describe("prefix caching through chat completions", () => {
  const long = [{ role: "system", content: filler(1400) }];

  it("reports nothing cached for prompts under minCacheTokens", async () => {
    const handler = createEmulatorHandler();
    const messages = [userMessage(filler(200))];
    const first = await usageFor(handler, messages);
    expect(first.prompt_tokens).toBeLessThan(1024);
    const second = await usageFor(handler, messages);
    expect(second.prompt_tokens_details.cached_tokens).toBe(0);
  });

  it("serves an identical second request from the largest 128-step boundary", async () => {
    const handler = createEmulatorHandler();
    const messages = [...long, userMessage("hello")];
    const first = await usageFor(handler, messages);
    expect(first.prompt_tokens_details.cached_tokens).toBe(0);
    const second = await usageFor(handler, messages);
    expect(second.prompt_tokens).toBe(first.prompt_tokens);
    expect(second.prompt_tokens_details.cached_tokens).toBe(
      cacheableLength(first.prompt_tokens, geometry),
    );
    expect(second.prompt_tokens_details.cached_tokens).toBeGreaterThan(first.prompt_tokens - 128);
  });

  it("grows the cached prefix in 128-token steps as the conversation grows", async () => {
    const handler = createEmulatorHandler();
    let messages: unknown[] = [...long, userMessage("turn 0")];
    let previous = await usageFor(handler, messages);
    const cachedSeen: number[] = [];
    for (let turn = 1; turn <= 3; turn++) {
      messages = [
        ...messages,
        { role: "assistant", content: filler(150, `a${turn}`) },
        userMessage(`turn ${turn}`),
      ];
      const usage = await usageFor(handler, messages);
      const cached = usage.prompt_tokens_details.cached_tokens;
      expect(cached).toBe(cacheableLength(previous.prompt_tokens, geometry));
      expect((cached - 1024) % 128).toBe(0);
      cachedSeen.push(cached);
      previous = usage;
    }
    expect(cachedSeen).toEqual([...cachedSeen].sort((x, y) => x - y));
    expect(new Set(cachedSeen).size).toBe(cachedSeen.length);
  });

  it("ignores request fields outside tools and messages", async () => {
    const handler = createEmulatorHandler();
    const messages = [...long, userMessage("same")];
    const first = await usageFor(handler, messages, {
      ...session("s"),
      temperature: 0.1,
      user: "a",
    });
    const second = await usageFor(handler, messages, {
      ...session("s", { extra: "field" }),
      temperature: 0.9,
      stream: false,
      user: "b",
    });
    expect(second.prompt_tokens).toBe(first.prompt_tokens);
    expect(second.prompt_tokens_details.cached_tokens).toBe(
      cacheableLength(first.prompt_tokens, geometry),
    );
  });

  it("expires with the injected clock", async () => {
    let clock = 1_000_000;
    const options: EmulatorOptions = { now: () => clock, cacheTtlMs: 5_000 };
    const handler = createEmulatorHandler(options);
    const messages = [...long, userMessage("ttl")];
    await usageFor(handler, messages);
    clock += 4_999;
    expect((await usageFor(handler, messages)).prompt_tokens_details.cached_tokens).toBeGreaterThan(
      0,
    );
    clock += 5_000;
    expect((await usageFor(handler, messages)).prompt_tokens_details.cached_tokens).toBe(0);
  });

  it("keeps each replica's cache to itself", async () => {
    const handler = createEmulatorHandler({
      replicas: 2,
      keylessRouting: "round-robin",
      upstreamHeader: true,
    });
    const messages = [...long, userMessage("isolation")];
    const first = await postChat(handler, { model: "gpt-5.5", messages });
    const second = await postChat(handler, { model: "gpt-5.5", messages });
    expect(second.response.headers.get("x-taas-upstream")).not.toBe(
      first.response.headers.get("x-taas-upstream"),
    );
    expect(usageOf(second.json).prompt_tokens_details.cached_tokens).toBe(0);
    const third = await postChat(handler, { model: "gpt-5.5", messages });
    expect(third.response.headers.get("x-taas-upstream")).toBe(
      first.response.headers.get("x-taas-upstream"),
    );
    expect(usageOf(third.json).prompt_tokens_details.cached_tokens).toBeGreaterThan(0);
  });
});
