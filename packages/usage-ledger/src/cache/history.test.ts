import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import { describe, expect, it } from "vitest";
import { CacheHistory, type RememberedCall, type StoredCall } from "./history.ts";

const prefix = (...digests: string[]): PromptPrefix => ({
  segments: digests.map((d): [string, number] => [d, 100]),
  tools: 0,
  system: 1,
});
const prefixes = new Map<string, PromptPrefix>([
  ["c1", prefix("sys", "u1")],
  ["c2", prefix("sys", "u1", "a1", "u2")],
]);

const call = (callId: string): RememberedCall => ({
  callId,
  ts: Number(callId.slice(1)) * 1000,
  promptTokens: 3000,
  cacheRead: 0,
  cacheWrite: 0,
  upstream: "replica-1",
  prefix: prefixes.get(callId),
});
const stored = (callId: string): StoredCall => {
  const { prefix: _digests, ...rest } = call(callId);
  return rest;
};

function history(before: (id: string, ts: number) => StoredCall | undefined = () => undefined) {
  const asked: string[] = [];
  const h = new CacheHistory({
    prefixOf: (id) => prefixes.get(id),
    storedBefore: (id, ts) => {
      asked.push(`${id}@${ts}`);
      return before(id, ts);
    },
  });
  return { h, asked };
}

describe("CacheHistory", () => {
  it("answers the call remembered last for the id, without reading the ledger", () => {
    const { h, asked } = history();
    expect(h.previous("oc:a", "c1", 1000)).toBeUndefined();
    h.remember("oc:a", call("c1"));
    expect(h.previous("oc:a", "c2", 2000)).toEqual(call("c1"));
    expect(h.previous("oc:b", "x2", 2000)).toBeUndefined();
    expect(asked).toEqual(["oc:a@1000", "oc:b@2000"]);
  });

  it("finds a previous call the ledger stored before a restart, with its digests", () => {
    const { h } = history((id) => (id === "oc:a" ? stored("c1") : undefined));
    expect(h.previous("oc:a", "c2", 2000)).toEqual(call("c1"));
  });

  it("compares a replayed row with the call before it, not with itself", () => {
    const { h } = history((_id, ts) => (ts === 2000 ? stored("c1") : undefined));
    h.remember("oc:a", call("c2"));
    expect(h.previous("oc:a", "c2", 2000)).toEqual(call("c1"));
    // The ledger answering the same call is no previous call either.
    const { h: fresh } = history(() => stored("c2"));
    expect(fresh.previous("oc:a", "c2", 2000)).toBeUndefined();
  });

  it("forgets the least recently used ids beyond its bound", () => {
    const h = new CacheHistory({
      prefixOf: () => undefined,
      storedBefore: () => undefined,
      maxIds: 2,
    });
    for (const id of ["oc:a", "oc:b", "oc:c"]) h.remember(id, call("c1"));
    expect(h.previous("oc:a", "c2", 2000)).toBeUndefined();
    expect(h.previous("oc:c", "c2", 2000)).toEqual(call("c1"));
  });
});
