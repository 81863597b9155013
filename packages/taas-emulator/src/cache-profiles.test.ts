import { describe, expect, it } from "vitest";
import {
  cacheable,
  geometry,
  keyed,
  type Message,
  promptTokens,
  scene,
  system,
  TTL,
  truthOf,
} from "./cache-cause.test-support.ts";
import { ledgerCauseOf } from "./cache-cause.ts";
import { anthropicMinimum, cacheFamilyOf } from "./cache-profiles.ts";
import { cacheableLength } from "./prefix-cache.ts";
import { filler, usageOf, userMessage } from "./test-support.ts";

const long: Message[] = [system(), userMessage(filler(400, "q")), userMessage("next")];

describe("cache families by model", () => {
  it.each([
    ["gpt-5.5", "openai"],
    ["gemini-3.1-flash-lite", "openai"],
    ["claude-sonnet-4.6", "anthropic"],
    ["claude-opus-4.8", "anthropic"],
    ["deepseek-v4", "delayed"],
  ])("%s caches as the %s family", (model, family) => {
    expect(cacheFamilyOf(model)).toBe(family);
  });

  it("takes Anthropic's minimum by model (1,024 / 2,048 / 4,096)", () => {
    expect(anthropicMinimum("claude-sonnet-4.6")).toBe(1024);
    expect(anthropicMinimum("claude-3-5-haiku")).toBe(2048);
    expect(anthropicMinimum("claude-opus-4.8")).toBe(4096);
  });
});

describe("openai family: the plateau", () => {
  const plateau = 128;

  it("stops reads at the plateau even on an exact repeat, and says so", async () => {
    const s = scene({ cacheProfiles: true, cachePlateauTokens: plateau });
    await s.send(long, keyed("c"));
    const truth = await truthOf(s, await s.send(long, keyed("c")));
    expect(cacheable(long)).toBeGreaterThan(plateau);
    expect(truth).toMatchObject({
      cached: cacheableLength(plateau, geometry),
      idealCachedTokens: cacheable(long),
      cause: "plateau",
    });
    expect(ledgerCauseOf(truth)).toBe("plateau");
  });

  it("reads everything below the plateau", async () => {
    const s = scene({ cacheProfiles: true, cachePlateauTokens: 4096 });
    await s.send(long, keyed("c"));
    const truth = await truthOf(s, await s.send(long, keyed("c")));
    expect(truth).toMatchObject({ cached: cacheable(long), cause: "none" });
  });

  it("has no plateau without cache profiles", async () => {
    const s = scene({ cacheProfiles: false, cachePlateauTokens: plateau });
    await s.send(long, keyed("c"));
    expect((await truthOf(s, await s.send(long, keyed("c")))).cached).toBe(cacheable(long));
  });
});

describe("anthropic family", () => {
  const sonnet = { model: "claude-sonnet-4.6", ...keyed("a") };

  it("reports writes, then reads, of what reaches its minimum", async () => {
    const messages: Message[] = [system(), userMessage(filler(1500, "b")), userMessage("go")];
    const expected = cacheable(messages);
    expect(expected).toBeGreaterThanOrEqual(anthropicMinimum(sonnet.model));
    const s = scene({ cacheProfiles: true });
    const first = usageOf(
      (await (await s.send(messages, sonnet)).json()) as Record<string, unknown>,
    );
    expect(first).toMatchObject({
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: expected,
    });
    const again = usageOf(
      (await (await s.send(messages, sonnet)).json()) as Record<string, unknown>,
    );
    expect(again).toMatchObject({
      cache_read_input_tokens: expected,
      cache_creation_input_tokens: 0,
    });
    // An OpenAI-family model reports no writes.
    const openai = (await (await s.send(messages)).json()) as Record<string, unknown>;
    expect(usageOf(openai).cache_creation_input_tokens).toBeUndefined();
  });

  it("caches nothing under the model's minimum", async () => {
    const messages: Message[] = [system(), userMessage(filler(1500, "o")), userMessage("go")];
    expect(promptTokens(messages)).toBeLessThan(anthropicMinimum("claude-opus-4.8"));
    // Long enough for a model with a smaller minimum, so only the model's own minimum explains it.
    expect(promptTokens(messages)).toBeGreaterThan(anthropicMinimum("claude-sonnet-4.6"));
    const s = scene({ cacheProfiles: true });
    const opus = { model: "claude-opus-4.8", ...keyed("o") };
    await s.send(messages, opus);
    const truth = await truthOf(s, await s.send(messages, opus));
    expect(truth).toMatchObject({ cached: 0, idealCachedTokens: 0, cause: "below_minimum" });
  });

  it("refreshes its TTL on each hit", async () => {
    const s = scene({ cacheProfiles: true });
    const messages: Message[] = [system(), userMessage(filler(1500, "t"))];
    await s.send(messages, sonnet);
    for (let hit = 0; hit < 3; hit++) {
      s.clock.now += TTL - 1;
      expect((await truthOf(s, await s.send(messages, sonnet))).cached).toBe(cacheable(messages));
    }
  });
});

describe("delayed family", () => {
  const delayMs = 3000;
  const deepseek = { model: "deepseek-v4", ...keyed("d") };

  it("makes a prefix readable only after the delay, and says not_ready before", async () => {
    const s = scene({ cacheProfiles: true, cacheReadyDelayMs: delayMs });
    await s.send(long, deepseek);
    s.clock.now += delayMs - 1;
    const early = await truthOf(s, await s.send(long, deepseek));
    expect(early).toMatchObject({
      cached: 0,
      idealCachedTokens: cacheable(long),
      cause: "not_ready",
    });
    expect(ledgerCauseOf(early)).toBe("not_ready");
    s.clock.now += 1;
    const ready = await truthOf(s, await s.send(long, deepseek));
    expect(ready).toMatchObject({ cached: cacheable(long), cause: "none" });
  });
});

describe("one cache per (replica, model)", () => {
  it("does not serve one model's prefix to another by default, and says other_model", async () => {
    const s = scene();
    await s.send(long, keyed("m"));
    const switched = await truthOf(s, await s.send(long, { model: "gpt-5.4", ...keyed("m") }));
    expect(switched).toMatchObject({
      cached: 0,
      idealCachedTokens: cacheable(long),
      cause: "other_model",
    });
    expect(ledgerCauseOf(switched)).toBe("cold");
    const back = await truthOf(s, await s.send(long, keyed("m")));
    expect(back).toMatchObject({ cached: cacheable(long), cause: "none" });
  });

  it("shares one cache per replica across models when told to (legacy)", async () => {
    const s = scene({ cachePerModel: false });
    await s.send(long, keyed("m"));
    const switched = await truthOf(s, await s.send(long, { model: "gpt-5.4", ...keyed("m") }));
    expect(switched).toMatchObject({ cached: cacheable(long), cause: "none" });
  });
});

describe("a spill to a cold replica", () => {
  it("is its own cause: the full replica held the prefix", async () => {
    const s = scene({ slotRequestsPerMinute: 1 });
    await s.send(long, keyed("s"));
    const spilled = await truthOf(s, await s.send(long, keyed("s")));
    expect(spilled).toMatchObject({
      cached: 0,
      idealCachedTokens: cacheable(long),
      cause: "spilled",
    });
    expect(s.emulator.requests().at(-1)?.spilledFrom).toBe(s.emulator.requests().at(0)?.replica);
    expect(ledgerCauseOf(spilled)).toBe("replica_switch");
    expect(ledgerCauseOf(spilled, { upstreamHeader: false })).toBe("replica_unreported");
  });
});
