import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import { describe, expect, it } from "vitest";
import { parseLedgerConfig } from "../config.ts";
import { geometryLookup } from "./geometry.ts";
import { type AccountedCall, CacheHistory, type StoredCall } from "./history.ts";

const segments = (...digests: string[]): PromptPrefix => ({
  segments: digests.map((d): [string, number] => [d, 100]),
  tools: 0,
  system: 1,
});

const prefixes = new Map<string, PromptPrefix>([
  ["c1", segments("sys", "u1")],
  ["c2", segments("sys", "u1", "a1", "u2")],
  ["c3", segments("sys", "u1", "a1", "u2", "a2", "u3")],
  ["x2", segments("other", "u1")],
]);

const call = (callId: string, overrides: Partial<AccountedCall> = {}): AccountedCall => ({
  callId,
  ts: Number(callId.slice(1)) * 1000,
  provider: "cloudsigma",
  model: "gpt-5.5",
  promptTokens: 3000 * Number(callId.slice(1)),
  cacheRead: 0,
  affinityId: "oc:a",
  upstream: "replica-1",
  ...overrides,
});

function history(stored: (id: string, ts: number) => StoredCall | undefined = () => undefined) {
  return new CacheHistory({
    geometry: geometryLookup(parseLedgerConfig({})),
    prefixOf: (id) => prefixes.get(id),
    storedBefore: stored,
  });
}

describe("CacheHistory", () => {
  it("compares each call with the previous call of its affinity id", () => {
    const h = history();
    expect(h.account(call("c1")).cause).toBe("cold");
    expect(h.account(call("c2", { cacheRead: 2944 }))).toMatchObject({
      cause: "none",
      expected: 2944,
    });
    expect(h.account(call("c3", { cacheRead: 0, upstream: "replica-2" }))).toMatchObject({
      cause: "replica_switch",
      expected: 5888,
      missed: 5888,
    });
  });

  it("keeps ids apart, and finds a previous call the ledger stored before a restart", () => {
    const asked: string[] = [];
    const h = history((id, ts) => {
      asked.push(`${id}@${ts}`);
      return id === "oc:a"
        ? { callId: "c1", ts: 1000, promptTokens: 3000, cacheRead: 0, upstream: "replica-1" }
        : undefined;
    });
    expect(h.account(call("c2", { cacheRead: 2944 })).cause).toBe("none");
    expect(h.account(call("c2", { affinityId: "oc:b", callId: "x2" })).cause).toBe("cold");
    expect(asked).toEqual(["oc:a@2000", "oc:b@2000"]);
  });

  it("is unknown without the optimizer's capture or digests", () => {
    const h = history();
    expect(h.account(call("c1", { affinityId: undefined })).cause).toBe("unknown");
    h.account(call("c9"));
    expect(h.account(call("c2")).cause).toBe("unknown");
  });

  it("accounts a replayed row against the call before it, not against itself", () => {
    const h = history((_id, ts) =>
      ts === 2000
        ? { callId: "c1", ts: 1000, promptTokens: 3000, cacheRead: 0, upstream: "replica-1" }
        : undefined,
    );
    h.account(call("c1"));
    h.account(call("c2", { cacheRead: 2944 }));
    expect(h.account(call("c2", { cacheRead: 2944 })).cause).toBe("none");
  });
});
