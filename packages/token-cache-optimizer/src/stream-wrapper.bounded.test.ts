import { describe, expect, it } from "vitest";
import { shardIdentity, workspaceIdentity } from "./affinity-id.ts";
import { ShardBalancer } from "./shard-balancer.ts";
import { call, fakeTransport, TEST_ID_KEY, wrapperHarness } from "./stream-wrapper.test-support.ts";

// The bounded scope on the wire: the workspace id until its minute is full, then a keyed shard
// of it, the same id in the body, the headers and the route capture.

const payload = () => ({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] });

interface WireIds {
  header: string | undefined;
  body: unknown;
  sticky: unknown;
}

const wireIds = (sent: { body: string; headers: Record<string, string> }): WireIds => {
  const metadata = (JSON.parse(sent.body) as { metadata?: Record<string, unknown> }).metadata;
  return {
    header: sent.headers["X-Session-Id"],
    body: metadata?.session_id,
    sticky: metadata?.sticky_key,
  };
};

function boundedHarness(requestsPerMinute: number) {
  const clock = { ms: 5_000_000 };
  const shards = new ShardBalancer(
    { requestsPerMinute, maxShards: 4, idleMs: 600_000, maxBases: 8, maxConversations: 64 },
    () => clock.ms,
  );
  const harness = wrapperHarness({ config: { affinityScope: "bounded" }, shards });
  const transport = fakeTransport(payload);
  const streamFn = harness.wrap({
    streamFn: transport.streamFn,
    agentId: "main",
    workspaceDir: "/w/main",
  });
  const turn = async (sessionId: string) => {
    await call(streamFn, { sessionId });
    clock.ms += 1000;
  };
  return { harness, transport, turn, clock };
}

const base = workspaceIdentity(TEST_ID_KEY, "/w/main");
const shard1 = shardIdentity(TEST_ID_KEY, base, 1).id;

describe("affinityScope bounded", () => {
  it("at low load every session sends the workspace id, as the workspace scope does", async () => {
    const { transport, turn } = boundedHarness(15);
    await turn("s1");
    await turn("s2");
    await turn("s1");
    expect(transport.calls.map(wireIds)).toEqual(
      Array.from({ length: 3 }, () => ({ header: base.id, body: base.id, sticky: base.id })),
    );
  });

  it("past the bound a new session goes on shard 1, a keyed id the old session never moves to", async () => {
    const { transport, turn, harness } = boundedHarness(2);
    await turn("s1");
    await turn("s1");
    await turn("s2");
    await turn("s1");
    await turn("s2");
    expect(shard1).toMatch(/^oc:[0-9a-f]{16}$/);
    expect(shard1).not.toBe(base.id);
    expect(transport.calls.map((sent) => wireIds(sent).header)).toEqual([
      base.id,
      base.id,
      shard1,
      base.id,
      shard1,
    ]);
    expect(transport.calls.map((sent) => wireIds(sent).body)).toEqual(
      transport.calls.map((sent) => wireIds(sent).header),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      harness.captures.map((c) => [c.affinityId, c.affinityShard, c.workspaceAffinityId]),
    ).toEqual([
      [base.id, 0, undefined],
      [base.id, 0, undefined],
      [shard1, 1, base.id],
      [base.id, 0, undefined],
      [shard1, 1, base.id],
    ]);
  });

  it("a shard id differs per workspace and per install key", () => {
    const other = workspaceIdentity(TEST_ID_KEY, "/w/other");
    expect(shardIdentity(TEST_ID_KEY, other, 1).id).not.toBe(shard1);
    expect(shardIdentity("1".repeat(64), base, 1).id).not.toBe(shard1);
    expect(shardIdentity(TEST_ID_KEY, base, 0).id).toBe(base.id);
  });

  it("other scopes leave the shard out of the capture", async () => {
    const harness = wrapperHarness();
    const transport = fakeTransport(payload);
    await call(harness.wrap({ streamFn: transport.streamFn, workspaceDir: "/w/main" }), {
      sessionId: "s1",
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(harness.captures[0]?.affinityShard).toBeUndefined();
  });
});
