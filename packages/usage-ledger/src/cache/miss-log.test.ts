import { describe, expect, it } from "vitest";
import type { CacheAccounting } from "./accounting.ts";
import { missLogger } from "./miss-log.ts";

const miss = (missed: number, cause: CacheAccounting["cause"] = "replica_switch") => ({
  expected: missed,
  missed,
  invalidated: 0,
  cause,
  divergedAt: null,
});

describe("missLogger", () => {
  it("logs a loss above the threshold once per agent per minute", () => {
    let clock = 0;
    const lines: string[] = [];
    const log = missLogger({ thresholdTokens: 1000, warn: (l) => lines.push(l), now: () => clock });
    log("main", "cloudsigma/gpt-5.5", miss(1000));
    expect(lines).toEqual([]);
    log("main", "cloudsigma/gpt-5.5", miss(5000));
    log("main", "cloudsigma/gpt-5.5", miss(6000));
    log("other", null, miss(7000, "ttl_expired"));
    clock = 60_000;
    log("main", null, miss(8000, "upstream"));
    expect(lines).toEqual([
      "cache miss: agent main lost 5000 cacheable prompt tokens (replica_switch) on cloudsigma/gpt-5.5",
      "cache miss: agent other lost 7000 cacheable prompt tokens (ttl_expired)",
      "cache miss: agent main lost 8000 cacheable prompt tokens (upstream)",
    ]);
  });

  it("counts what a prompt change invalidated, and says where", () => {
    const lines: string[] = [];
    const log = missLogger({ thresholdTokens: 100, warn: (l) => lines.push(l) });
    log("main", null, { ...miss(0, "prefix_history"), invalidated: 4096, divergedAt: 3 });
    expect(lines).toEqual([
      "cache miss: agent main lost 4096 cacheable prompt tokens (prefix_history at message 3)",
    ]);
  });

  it("is silent with a threshold of 0", () => {
    const lines: string[] = [];
    missLogger({ thresholdTokens: 0, warn: (l) => lines.push(l) })("main", null, miss(1e6));
    expect(lines).toEqual([]);
  });
});
