import { describe, expect, it } from "vitest";
import { type BoundedLoadSettings, ShardBalancer } from "./shard-balancer.ts";

const SETTINGS: BoundedLoadSettings = {
  requestsPerMinute: 4,
  maxShards: 3,
  idleMs: 600_000,
  maxBases: 8,
  maxConversations: 64,
};

function balancer(settings: Partial<BoundedLoadSettings> = {}) {
  const clock = { ms: 1_000_000 };
  const shards = new ShardBalancer({ ...SETTINGS, ...settings }, () => clock.ms);
  return { shards, clock };
}

/** `count` requests of one conversation, one second apart; the shards they went on. */
function turns(
  { shards, clock }: ReturnType<typeof balancer>,
  conversation: string,
  count: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(shards.route("oc:base", conversation).shard);
    clock.ms += 1000;
  }
  return out;
}

describe("bounded-load shards", () => {
  it("keeps every conversation on the base id while its minute is under the bound", () => {
    const b = balancer();
    expect(turns(b, "a", 2)).toEqual([0, 0]);
    expect(turns(b, "b", 1)).toEqual([0]);
  });

  it("sends a new conversation to a new shard once the base id is at the bound, and never moves one", () => {
    const b = balancer();
    // Four requests fill shard 0's minute; a's later requests stay on it all the same.
    expect(turns(b, "a", 6)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(turns(b, "b", 2)).toEqual([1, 1]);
    expect(turns(b, "c", 1)).toEqual([1]);
    // Shard 1 is at its bound now (b twice, c once, plus one): the next one opens shard 2.
    expect(turns(b, "c", 1)).toEqual([1]);
    expect(turns(b, "d", 1)).toEqual([2]);
  });

  it("prefers the least-loaded shard under the bound over opening another", () => {
    const b = balancer();
    turns(b, "a", 4);
    turns(b, "b", 4); // shard 1, now full too
    expect(turns(b, "c", 1)).toEqual([2]);
    // A minute after a's first two requests they have left the window: shard 0 is under the bound.
    b.clock.ms = 1_061_000;
    expect(turns(b, "d", 1)).toEqual([0]);
  });

  it("joins the least-loaded shard and says so when every shard is at the bound", () => {
    const b = balancer({ maxShards: 2 });
    turns(b, "a", 5);
    turns(b, "b", 4);
    const choice = b.shards.route("oc:base", "c");
    expect(choice).toEqual({ shard: 1, saturated: true });
  });

  it("retires an idle shard with its conversations, which start again from the base id", () => {
    const b = balancer({ idleMs: 120_000 });
    turns(b, "a", 4);
    expect(turns(b, "b", 1)).toEqual([1]);
    b.clock.ms += 120_000;
    expect(turns(b, "b", 1)).toEqual([0]);
  });

  it("counts each base id on its own", () => {
    const b = balancer();
    turns(b, "a", 4);
    expect(b.shards.route("oc:other", "x").shard).toBe(0);
  });

  it("puts calls without a conversation on the base id", () => {
    const b = balancer();
    turns(b, "a", 4);
    expect(b.shards.route("oc:base", undefined)).toEqual({ shard: 0, saturated: false });
  });
});
