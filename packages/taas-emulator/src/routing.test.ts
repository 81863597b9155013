import { describe, expect, it } from "vitest";
import { createEmulatorHandler } from "./emulator.ts";
import { extractRoutingKey, Router, rendezvousIndex, replicaName } from "./routing.ts";
import { postChat } from "./test-support.ts";
import type { KeylessRouting } from "./types.ts";

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

  it("ignores empty values and reports no key when none is present", () => {
    const body = { metadata: { session_id: "" }, prompt_cache_key: null };
    expect(extractRoutingKey(body, new Headers())).toEqual({ key: null, source: null });
  });
});

function router(replicas: number, keylessRouting: KeylessRouting, keylessSeed = 1): Router {
  return new Router({ replicas, keylessRouting, keylessSeed });
}

function keylessNames(routing: Router, count: number): string[] {
  return Array.from({ length: count }, () => routing.route({}, new Headers()).name);
}

describe("Router", () => {
  it("sends the same key to the same replica and spreads many keys across all replicas", () => {
    const replicas = 4;
    const keyed = router(replicas, "random");
    const hits = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const key = `session-${i}`;
      const first = keyed.route({ metadata: { session_id: key } }, new Headers());
      for (let again = 0; again < 3; again++) {
        expect(keyed.route({ prompt_cache_key: key }, new Headers()).name).toBe(first.name);
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

  it("round-robins requests without a key when asked to, and names that as the source", () => {
    const replicas = 3;
    const routing = router(replicas, "round-robin");
    const expected = Array.from({ length: replicas * 2 }, (_, i) => replicaName(i % replicas));
    expect(keylessNames(routing, replicas * 2)).toEqual(expected);
    expect(routing.route({}, new Headers())).toMatchObject({ key: null, source: "round-robin" });
    routing.reset();
    expect(keylessNames(routing, 1)).toEqual([replicaName(0)]);
  });

  it("by default picks a seeded random replica: not lockstep, reproducible, and reset replays it", () => {
    const replicas = 4;
    const picks = 400;
    const routing = router(replicas, "random", 7);
    const names = keylessNames(routing, picks);
    expect(routing.route({}, new Headers())).toMatchObject({ key: null, source: "random" });
    // Round-robin would never repeat a replica back to back; a fair random choice does, often.
    const repeats = names.filter((name, i) => i > 0 && name === names[i - 1]).length;
    expect(repeats).toBeGreaterThan(picks / replicas / 2);
    const counts = new Map<string, number>();
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    expect(counts.size).toBe(replicas);
    for (const count of counts.values()) expect(count).toBeGreaterThan(picks / replicas / 2);
    expect(keylessNames(router(replicas, "random", 7), picks)).toEqual(names);
    expect(keylessNames(router(replicas, "random", 8), picks)).not.toEqual(names);
    routing.reset();
    expect(keylessNames(routing, picks)).toEqual(names);
  });
});

describe("routing through chat completions", () => {
  const body = { model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] };

  it("answers X-TaaS-Upstream per key", async () => {
    const emulatorHandler = createEmulatorHandler({ replicas: 4, upstreamHeader: true });
    const headers = { "x-session-id": "sticky-1", "x-openclaw-agent-id": "main" };
    const upstreams = new Set<string | null>();
    for (let i = 0; i < 3; i++) {
      const { response } = await postChat(emulatorHandler, body, headers);
      upstreams.add(response.headers.get("x-taas-upstream"));
    }
    expect([...upstreams]).toEqual([replicaName(rendezvousIndex("sticky-1", 4))]);
  });

  it.each<[KeylessRouting, number]>([
    ["round-robin", 1],
    ["random", 1],
    ["random", 99],
  ])("routes keyless requests as keylessRouting %s (seed %i) says", async (mode, seed) => {
    const options = { replicas: 4, keylessRouting: mode, keylessSeed: seed, upstreamHeader: true };
    const emulatorHandler = createEmulatorHandler(options);
    const upstreams = [];
    for (let i = 0; i < 8; i++) {
      const { response } = await postChat(emulatorHandler, body);
      upstreams.push(response.headers.get("x-taas-upstream"));
    }
    expect(upstreams).toEqual(keylessNames(router(4, mode, seed), 8));
  });
});

describe("draining a replica", () => {
  const keyed = (key: string) => ({ metadata: { session_id: key } });

  it("moves a key to its second choice while its replica is out, and back after", () => {
    const router = new Router({ replicas: 4, keylessRouting: "random", keylessSeed: 1 });
    const home = router.route(keyed("conv-1"), new Headers()).index;
    router.drain([home]);
    const away = router.route(keyed("conv-1"), new Headers()).index;
    expect(away).not.toBe(home);
    // Keys whose first choice is still in rotation do not move.
    for (let n = 0; n < 50; n++) {
      const key = `other-${n}`;
      const first = rendezvousIndex(key, 4);
      if (first !== home) expect(router.route(keyed(key), new Headers()).index).toBe(first);
    }
    for (let n = 0; n < 50; n++) expect(router.route({}, new Headers()).index).not.toBe(home);
    router.drain([]);
    expect(router.route(keyed("conv-1"), new Headers()).index).toBe(home);
  });

  it("routes to every replica anyway when all are drained", () => {
    const router = new Router({ replicas: 2, keylessRouting: "round-robin", keylessSeed: 1 });
    router.drain([0, 1]);
    expect(router.route(keyed("k"), new Headers()).index).toBe(rendezvousIndex("k", 2));
  });
});
