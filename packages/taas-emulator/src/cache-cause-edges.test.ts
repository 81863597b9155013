import { describe, expect, it } from "vitest";
import {
  assistant,
  cacheable,
  conversation,
  keyed,
  promptTokens,
  scene,
  truthOf,
} from "./cache-cause.test-support.ts";
import { CACHE_CAUSE_HEADER, CACHE_IDEAL_HEADER } from "./cache-cause.ts";
import { chatRequest, filler, parseSse } from "./test-support.ts";

describe("cache cause at the edges of the geometry", () => {
  const head = conversation.slice(0, 2);
  const headTokens = promptTokens(head);

  it.each([
    ["exactly the minimum", headTokens, "none", headTokens],
    ["one token under the minimum", headTokens + 1, "below_minimum", 0],
  ] as const)("a repeated prompt of %s", async (_, minCacheTokens, cause, ideal) => {
    const s = scene({ minCacheTokens });
    await s.send(head, keyed("c"));
    const truth = await truthOf(s, await s.send(head, keyed("c")));
    expect(truth).toMatchObject({ cause, idealCachedTokens: ideal, cached: ideal });
  });

  // A boundary sits exactly where message 2 starts. Rewriting message 2 loses the previous
  // prompt's next boundary only when that prompt reached it.
  const previous = [...head, assistant("a")];
  const edited = [...head, { role: "assistant", content: filler(80, "b") }];
  const reply = promptTokens(previous) - headTokens;
  it.each([
    ["reached the next step", reply, "diverged", "history:2"],
    ["ended before the next step", reply + 1, "none", null],
  ] as const)(
    "an edit after a boundary, when the previous prompt %s",
    async (_, step, cause, at) => {
      expect(promptTokens(edited)).toBeGreaterThan(promptTokens(previous));
      const s = scene({ minCacheTokens: headTokens, cacheStepTokens: step });
      await s.send(previous, keyed("c"));
      const truth = await truthOf(s, await s.send(edited, keyed("c")));
      expect(truth).toMatchObject({ cause, at, idealCachedTokens: headTokens, cached: headTokens });
    },
  );
});

describe("cache cause headers", () => {
  it("are on streamed and non-streamed answers alike, and in the record", async () => {
    const s = scene();
    const plain = await s.send(conversation, keyed("c"));
    const streamed = await s.send(conversation, {
      ...keyed("c"),
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(plain.headers.get(CACHE_CAUSE_HEADER)).toBe("cold");
    expect(plain.headers.get(CACHE_IDEAL_HEADER)).toBe("0");
    expect(streamed.headers.get("content-type")).toContain("text/event-stream");
    expect(streamed.headers.get(CACHE_CAUSE_HEADER)).toBe("none");
    expect(streamed.headers.get(CACHE_IDEAL_HEADER)).toBe(String(cacheable(conversation)));
    const usage = parseSse(await streamed.text()).at(-2) as { usage: { prompt_tokens: number } };
    expect(usage.usage.prompt_tokens).toBe(promptTokens(conversation));
    expect(s.emulator.requests().map((r) => [r.stream, r.cacheCause, r.idealCachedTokens])).toEqual(
      [
        [false, "cold", 0],
        [true, "none", cacheable(conversation)],
      ],
    );
  });

  it("are absent from errors, which never reach a replica", async () => {
    const s = scene();
    const response = await s.emulator.handle(
      chatRequest({ model: "nope", messages: conversation }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get(CACHE_CAUSE_HEADER)).toBeNull();
    expect(s.emulator.requests()[0]).toMatchObject({ cacheCause: null, idealCachedTokens: null });
  });

  it("start over after reset", async () => {
    const s = scene();
    await s.send(conversation, keyed("c"));
    s.emulator.reset();
    const response = await s.send(conversation, keyed("c"));
    expect(response.headers.get(CACHE_CAUSE_HEADER)).toBe("cold");
  });
});
