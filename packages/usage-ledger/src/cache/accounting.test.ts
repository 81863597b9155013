import { describe, expect, it } from "vitest";
import {
  call,
  full,
  noPlateau as geometry,
  next,
  prefix,
  previous,
} from "./accounting.test-support.ts";
import { accountCall, type CallObservation } from "./accounting.ts";
import { cacheableTokens } from "./geometry.ts";

describe("cacheableTokens", () => {
  it.each([
    [0, 0],
    [1023, 0],
    [1024, 1024],
    [1151, 1024],
    [1152, 1152],
    [4000, 3968],
  ])("%i prompt tokens can hold %i cached", (tokens, cached) => {
    expect(cacheableTokens(tokens, geometry)).toBe(cached);
  });
});

describe("accountCall", () => {
  it.each<[string, CallObservation, CallObservation | undefined, object]>([
    ["cold: the id's first call", next({}), undefined, { cause: "cold", expected: 0, missed: 0 }],
    [
      "none: read everything it shared",
      next({ cacheRead: full }),
      previous,
      { cause: "none", expected: full, missed: 0, invalidated: 0 },
    ],
    [
      "none: read more than its ceiling (another session's prefix)",
      next({ cacheRead: full + 128 }),
      previous,
      { cause: "none", missed: 0 },
    ],
    [
      "upstream: same replica, in time, same prefix, still missed",
      next({ cacheRead: 1024 }),
      previous,
      { cause: "upstream", expected: full, missed: full - 1024 },
    ],
    [
      "ttl_expired: idle past the TTL",
      next({ ts: previous.ts + 300_000 }),
      previous,
      { cause: "ttl_expired", missed: full },
    ],
    [
      "replica_switch: served elsewhere",
      next({ upstream: "replica-2" }),
      previous,
      { cause: "replica_switch", missed: full },
    ],
    [
      "replica_unreported when the upstream header is missing (a switch cannot be told apart)",
      next({ upstream: undefined }),
      previous,
      { cause: "replica_unreported", missed: full },
    ],
    [
      "replica_unreported when only the previous call's replica is unknown",
      next({ cacheRead: 1024 }),
      { ...previous, upstream: undefined },
      { cause: "replica_unreported", missed: full - 1024 },
    ],
    [
      "clock skew: a start before the previous one is no gap, not an expiry",
      next({ ts: previous.ts - 5_000 }),
      previous,
      { cause: "upstream" },
    ],
    [
      "below_minimum: the previous prompt was too short to cache",
      next({ promptTokens: 1500 }),
      call({ promptTokens: 1000 }),
      { cause: "below_minimum", expected: 0, missed: 0 },
    ],
    [
      "prefix_tools: a tool schema changed",
      next({ prefix: prefix({ tools: ["t1", "T2"], history: ["u1", "a1"] }), cacheRead: 0 }),
      previous,
      { cause: "prefix_tools", expected: 0, missed: 0, invalidated: full },
    ],
    [
      "prefix_tools: a tool was added",
      next({ prefix: prefix({ tools: ["t1", "t2", "t3"], history: ["u1"] }), cacheRead: 1920 }),
      previous,
      { cause: "prefix_tools", missed: 0, invalidated: full - 1920 },
    ],
    [
      "prefix_system: the system prompt changed",
      next({ prefix: prefix({ system: ["SYS"], history: ["u1", "a1"] }), cacheRead: 1920 }),
      previous,
      // 2 of 4 segments shared: 2000 tokens, 1920 on the grid.
      { cause: "prefix_system", expected: 1920, missed: 0, invalidated: full - 1920 },
    ],
    [
      "prefix_history: messages[1] (the first user message) was rewritten",
      next({ prefix: prefix({ history: ["U1", "a1"] }), cacheRead: 2944 }),
      previous,
      { cause: "prefix_history", expected: 2944, divergedAt: 1 },
    ],
    [
      "prefix_history: a read just under the estimated shared length is within its margin",
      next({ prefix: prefix({ history: ["U1", "a1"] }), cacheRead: 2944 - 256 }),
      previous,
      { cause: "prefix_history", expected: 2688, missed: 0 },
    ],
    [
      "upstream: a changed prompt that read far less than it shared still missed",
      next({ prefix: prefix({ history: ["U1", "a1"] }), cacheRead: 1024 }),
      previous,
      { cause: "upstream", expected: 2944, missed: 1920 },
    ],
    [
      "unknown: no prefix for this call (the optimizer is not installed)",
      next({ prefix: undefined }),
      previous,
      { cause: "unknown", expected: null, missed: null },
    ],
    [
      "unknown: no prefix for the previous call",
      next({}),
      call({ prefix: undefined }),
      { cause: "unknown", expected: null },
    ],
  ])("%s", (_label, current, before, expected) => {
    expect(accountCall(current, before, geometry)).toMatchObject(expected);
  });

  it("tells idle time apart at the TTL edge", () => {
    const justInTime = next({ ts: previous.ts + 299_999 });
    expect(accountCall(justInTime, previous, geometry).cause).toBe("upstream");
    expect(accountCall(next({ ts: previous.ts + 300_000 }), previous, geometry).cause).toBe(
      "ttl_expired",
    );
  });

  it("never expects more than the current prompt holds (a compacted conversation)", () => {
    const shorter = next({ promptTokens: 2000, prefix: prefix({ history: ["u1"] }) });
    const result = accountCall(shorter, previous, geometry);
    expect(result.expected).toBe(1920);
  });

  it("blames the missed tokens, and still counts what a prompt change invalidated", () => {
    const changed = next({
      ts: previous.ts + 600_000,
      prefix: prefix({ system: ["SYS"], history: ["u1"] }),
    });
    expect(accountCall(changed, previous, geometry)).toMatchObject({
      cause: "ttl_expired",
      expected: 1920,
      missed: 1920,
      invalidated: full - 1920,
    });
  });
});
