import { describe, expect, it } from "vitest";
import { createEmulatorHandler } from "./emulator.ts";
import { extractRoutingKey, Router, rendezvousIndex, replicaName } from "./routing.ts";
import { postChat } from "./test-support.ts";

const all = {
  metadata: { session_id: "from-session", sticky_key: "from-sticky" },
  prompt_cache_key: "from-cache-key",
};

describe("extractRoutingKey", () => {
  it("takes metadata.session_id first", () => {
    const headers = new Headers({ "x-session-id": "from-header" });
    expect(extractRoutingKey(all, headers)).toEqual({
      key: "from-session",
      source: "metadata.session_id",
    });
  });

  it("falls back to metadata.sticky_key, then the X-Session-Id header, then prompt_cache_key", () => {
    const headers = new Headers({ "X-Session-Id": "from-header" });
    const noSession = { ...all, metadata: { sticky_key: "from-sticky" } };
    expect(extractRoutingKey(noSession, headers)).toEqual({
      key: "from-sticky",
      source: "metadata.sticky_key",
    });
    const noMetadata = { prompt_cache_key: "from-cache-key" };
    expect(extractRoutingKey(noMetadata, headers)).toEqual({
      key: "from-header",
      source: "x-session-id",
    });
    expect(extractRoutingKey(noMetadata, new Headers())).toEqual({
      key: "from-cache-key",
      source: "prompt_cache_key",
    });
  });

  it("ignores empty values and reports round-robin when no key is present", () => {
    const body = { metadata: { session_id: "" }, prompt_cache_key: null };
    expect(extractRoutingKey(body, new Headers())).toEqual({ key: null, source: "round-robin" });
  });
});

describe("Router", () => {
  it("sends the same key to the same replica and spreads many keys across all replicas", () => {
    const replicas = 4;
    const router = new Router(replicas);
    const hits = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const key = `session-${i}`;
      const first = router.route({ metadata: { session_id: key } }, new Headers());
      for (let again = 0; again < 3; again++) {
        expect(router.route({ prompt_cache_key: key }, new Headers()).name).toBe(first.name);
      }
      expect(first.index).toBe(rendezvousIndex(key, replicas));
      hits.set(first.name, (hits.get(first.name) ?? 0) + 1);
    }
    expect(hits.size).toBe(replicas);
    for (const count of hits.values()) expect(count).toBeGreaterThan(400 / replicas / 2);
  });

  it("moves only the keys of a removed replica when the pool shrinks", () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    for (const key of keys) {
      const before = rendezvousIndex(key, 4);
      if (before < 3) expect(rendezvousIndex(key, 3)).toBe(before);
    }
  });

  it("round-robins requests without a key", () => {
    const replicas = 3;
    const router = new Router(replicas);
    const names = Array.from({ length: replicas * 2 }, () => router.route({}, new Headers()).name);
    const expected = Array.from({ length: replicas * 2 }, (_, i) => replicaName(i % replicas));
    expect(names).toEqual(expected);
  });
});

describe("routing through chat completions", () => {
  it("answers X-TaaS-Upstream per key, and round-robin without one", async () => {
    const emulatorHandler = createEmulatorHandler({ replicas: 4 });
    const body = { model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] };
    const upstreams = new Set<string | null>();
    for (let i = 0; i < 3; i++) {
      const { response } = await postChat(emulatorHandler, body, { "x-session-id": "sticky-1" });
      upstreams.add(response.headers.get("x-taas-upstream"));
    }
    expect([...upstreams]).toEqual([replicaName(rendezvousIndex("sticky-1", 4))]);
    const roundRobin = [];
    for (let i = 0; i < 4; i++) {
      const { response } = await postChat(emulatorHandler, body);
      roundRobin.push(response.headers.get("x-taas-upstream"));
    }
    expect(new Set(roundRobin).size).toBe(4);
  });
});
