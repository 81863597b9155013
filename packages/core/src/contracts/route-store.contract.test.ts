import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../../test-support/temp-dirs.ts";
import { RouteStoreWriter } from "../../../token-cache-optimizer/src/route-store-writer.ts";
import { openDatabase } from "../sqlite.ts";
import { type RouteCapture, RouteReader, routeStorePath } from "./route-store.ts";

// The route-store seam: the optimizer's RouteStoreWriter writes, RouteReader (used by the
// lastRoute method and by the usage ledger) reads. Both sides are exercised together so neither
// can drift, and the file keeps the names earlier versions wrote, so an upgrade reads it as is.

const stateDir = useTempDirs("route-store");

const capture = (n: number, overrides: Partial<RouteCapture> = {}): RouteCapture => ({
  capturedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  affinityId: `oc:${String(n).padStart(16, "0")}`,
  agentId: `agent-${n}`,
  callId: `run-${n}:model:1`,
  provider: "cloudsigma",
  model: "gpt-5.5",
  status: 200,
  autorouted: false,
  upstream: `replica-${n % 4}`,
  ...overrides,
});

describe("route store seam", () => {
  it("reads nothing, without creating a file, before anything is captured", () => {
    const dir = stateDir();
    const reader = new RouteReader(dir);
    expect(reader.latest("agent", "main")).toBeUndefined();
    expect(reader.byCallId("run-1:model:1")).toBeUndefined();
    expect(() => statSync(routeStorePath(dir))).toThrow();
  });

  it("lets a reader on another connection see the latest capture per affinity id, agent and call", () => {
    const dir = stateDir();
    const writer = new RouteStoreWriter(dir);
    const reader = new RouteReader(dir);
    const caps = { maxAffinityIds: 10, maxAgents: 10, maxCalls: 10 };
    writer.write([capture(1, { agentId: "main", affinityId: "oc:aaaaaaaaaaaaaaaa" })], caps);
    // The reader opened before the second write still sees it (each read is a fresh snapshot).
    expect(reader.latest("agent", "main")?.upstream).toBe("replica-1");
    writer.write(
      [capture(2, { agentId: "main", affinityId: "oc:aaaaaaaaaaaaaaaa", upstream: "replica-9" })],
      caps,
    );
    expect(reader.latest("agent", "main")?.upstream).toBe("replica-9");
    expect(reader.latest("affinity", "oc:aaaaaaaaaaaaaaaa")?.upstream).toBe("replica-9");
    expect(reader.byCallId("run-1:model:1")?.upstream).toBe("replica-1");
    expect(reader.byCallId("run-2:model:1")).toEqual(
      capture(2, { agentId: "main", affinityId: "oc:aaaaaaaaaaaaaaaa", upstream: "replica-9" }),
    );
    expect(statSync(routeStorePath(dir)).mode & 0o777).toBe(0o600);
    writer.close();
    reader.close();
  });

  it("hands a call's prompt prefix digests to the reader, trimmed by the per-call cap", () => {
    const dir = stateDir();
    const writer = new RouteStoreWriter(dir);
    const reader = new RouteReader(dir);
    const caps = { maxAffinityIds: 10, maxAgents: 10, maxCalls: 2 };
    const prefix = (n: number) => ({
      segments: [[`d${n}`, 10 * n] as [string, number]],
      tools: 0,
      system: 1,
    });
    for (let n = 1; n <= 3; n++) {
      writer.write([capture(n)], caps, [{ callId: `run-${n}:model:1`, prefix: prefix(n) }]);
    }
    expect(reader.prefixByCallId("run-3:model:1")).toEqual(prefix(3));
    expect(reader.prefixByCallId("run-1:model:1")).toBeUndefined();
    expect(writer.count("prefix")).toBe(2);
    writer.close();
    reader.close();
  });

  it("finds a per-session or pinned capture by the workspace's id too", () => {
    const dir = stateDir();
    const writer = new RouteStoreWriter(dir);
    const reader = new RouteReader(dir);
    const caps = { maxAffinityIds: 10, maxAgents: 10, maxCalls: 10 };
    const pinned = capture(3, {
      affinityId: "ops-pinned",
      workspaceAffinityId: "oc:00000000000000aa",
    });
    writer.write([pinned], caps);
    expect(reader.latest("affinity", "ops-pinned")).toEqual(pinned);
    expect(reader.latest("affinity", "oc:00000000000000aa")).toEqual(pinned);
    writer.close();
    reader.close();
  });

  it("keeps the bounded scope's shard, found by the shard's id and the workspace's", () => {
    const dir = stateDir();
    const writer = new RouteStoreWriter(dir);
    const reader = new RouteReader(dir);
    const caps = { maxAffinityIds: 10, maxAgents: 10, maxCalls: 10 };
    const sharded = capture(4, {
      affinityId: "oc:00000000000000b1",
      workspaceAffinityId: "oc:00000000000000aa",
      affinityShard: 1,
    });
    writer.write([sharded], caps);
    expect(reader.latest("affinity", "oc:00000000000000b1")?.affinityShard).toBe(1);
    expect(reader.latest("affinity", "oc:00000000000000aa")?.affinityShard).toBe(1);
    expect(reader.byCallId(sharded.callId ?? "")?.affinityShard).toBe(1);
    writer.close();
    reader.close();
  });

  it("leaves out a routed context window a store holds as sent (1e308), keeping the rest", () => {
    const dir = stateDir();
    const writer = new RouteStoreWriter(dir);
    const reader = new RouteReader(dir);
    const caps = { maxAffinityIds: 10, maxAgents: 10, maxCalls: 10 };
    writer.write(
      [capture(4, { routedContextWindow: 1e308 }), capture(5, { routedContextWindow: 400_000 })],
      caps,
    );
    expect(reader.byCallId("run-4:model:1")).toEqual(capture(4));
    expect(reader.byCallId("run-5:model:1")?.routedContextWindow).toBe(400_000);
    writer.close();
    reader.close();
  });

  it("stays within its caps, dropping the least recently captured first", () => {
    const dir = stateDir();
    const store = new RouteStoreWriter(dir);
    const reader = new RouteReader(dir);
    const caps = { maxAffinityIds: 3, maxAgents: 2, maxCalls: 4 };
    for (let n = 1; n <= 10; n++) store.write([capture(n)], caps);
    expect(store.count("affinity")).toBe(3);
    expect(store.count("agent")).toBe(2);
    expect(store.count("call")).toBe(4);
    expect(reader.latest("agent", "agent-10")).toBeDefined();
    expect(reader.latest("agent", "agent-8")).toBeUndefined();
    expect(reader.latest("affinity", capture(8).affinityId)).toBeDefined();
    expect(reader.byCallId("run-6:model:1")).toBeUndefined();
    expect(reader.byCallId("run-7:model:1")).toBeDefined();
    store.close();
    reader.close();
  });

  it("keeps the names on disk earlier versions wrote: scope 'session', JSON sessionId", () => {
    const dir = stateDir();
    const writer = new RouteStoreWriter(dir);
    const caps = { maxAffinityIds: 10, maxAgents: 10, maxCalls: 10 };
    writer.write([capture(1, { workspaceAffinityId: "oc:00000000000000aa" })], caps);
    writer.close();
    const db = openDatabase(routeStorePath(dir));
    const stored = db
      .prepare("SELECT scope, key, capture FROM latest_route WHERE key = ?")
      .get("oc:00000000000000aa");
    expect(stored?.scope).toBe("session");
    expect(JSON.parse(String(stored?.capture))).toMatchObject({
      sessionId: capture(1).affinityId,
      workspaceSessionId: "oc:00000000000000aa",
    });
    // A row as an earlier version wrote it reads with today's names.
    const earlier = { ...capture(2), sessionId: "ops-pinned", affinityId: undefined };
    db.prepare(
      "INSERT INTO call_route (call_id, session_id, captured_at, capture) VALUES (?, ?, 0, ?)",
    ).run("run-2:model:1", "ops-pinned", JSON.stringify(earlier));
    db.close();
    const reader = new RouteReader(dir);
    expect(reader.byCallId("run-2:model:1")).toEqual(capture(2, { affinityId: "ops-pinned" }));
    reader.close();
  });
});
