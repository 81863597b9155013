import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { describe, expect, it } from "vitest";
import type { CacheColumns, LedgerRow } from "../store/columns.ts";
import type { MissCause } from "./accounting.ts";
import { missLogger } from "./miss-log.ts";

const miss = (missed: number, cause: MissCause = "replica_switch"): CacheColumns => ({
  affinityId: "oc:a",
  expected: missed,
  missed,
  invalidated: 0,
  cause,
  divergedAt: null,
});

/** An enriched row of `agent`'s call served by `model` (null: the row names none). */
const row = (agent: string, model: string | null, cache: CacheColumns): LedgerRow => ({
  ...sampleRecord({ agentId: agent, model, provider: model ? "cloudsigma" : null }),
  cache,
});

describe("missLogger", () => {
  it("logs a loss above the threshold once per agent per minute", () => {
    let clock = 0;
    const lines: string[] = [];
    const log = missLogger({ thresholdTokens: 1000, warn: (l) => lines.push(l), now: () => clock });
    log(row("main", "gpt-5.5", miss(1000)));
    expect(lines).toEqual([]);
    log(row("main", "gpt-5.5", miss(5000)));
    log(row("main", "gpt-5.5", miss(6000)));
    log(row("other", null, miss(7000, "ttl_expired")));
    clock = 60_000;
    log(row("main", null, miss(8000, "upstream")));
    expect(lines).toEqual([
      "cache miss: agent main lost 5000 cacheable prompt tokens (replica_switch) on cloudsigma/gpt-5.5",
      "cache miss: agent other lost 7000 cacheable prompt tokens (ttl_expired)",
      "cache miss: agent main lost 8000 cacheable prompt tokens (upstream)",
    ]);
  });

  it("counts what a prompt change invalidated, and says where", () => {
    const lines: string[] = [];
    const log = missLogger({ thresholdTokens: 100, warn: (l) => lines.push(l) });
    log(row("main", null, { ...miss(0, "prefix_history"), invalidated: 4096, divergedAt: 3 }));
    expect(lines).toEqual([
      "cache miss: agent main lost 4096 cacheable prompt tokens (prefix_history at message 3)",
    ]);
  });

  it("names the model TaaS routed an autorouted call to", () => {
    const lines: string[] = [];
    const log = missLogger({ thresholdTokens: 100, warn: (l) => lines.push(l) });
    log({ ...row("main", "auto", miss(5000)), routedModel: "gpt-5.4" });
    expect(lines).toEqual([
      "cache miss: agent main lost 5000 cacheable prompt tokens (replica_switch) on cloudsigma/gpt-5.4",
    ]);
  });

  it("is silent with a threshold of 0, and for rows that were not accounted", () => {
    const lines: string[] = [];
    missLogger({ thresholdTokens: 0, warn: (l) => lines.push(l) })(row("main", null, miss(1e6)));
    const log = missLogger({ thresholdTokens: 100, warn: (l) => lines.push(l) });
    log(sampleRecord());
    log(row("main", null, { ...miss(1e6), cause: null }));
    expect(lines).toEqual([]);
  });

  it("says nothing of what the provider could not serve, and speaks of a replica TaaS does not name", () => {
    const lines: string[] = [];
    let clock = 0;
    const log = missLogger({ thresholdTokens: 100, warn: (l) => lines.push(l), now: () => clock });
    // A plateaued call: read up to the plateau, the rest beyond it, nothing lost.
    log(row("main", "gpt-5.5", { ...miss(0, "plateau"), expected: 4864, beyondPlateau: 8064 }));
    // A delayed cache's follow-up: its misses count, but no one can act on them.
    log(row("main", "deepseek-v4", miss(12_544, "not_ready")));
    expect(lines).toEqual([]);
    clock = 60_000;
    log(row("main", "gpt-5.5", miss(4864, "replica_unreported")));
    expect(lines).toEqual([
      "cache miss: agent main lost 4864 cacheable prompt tokens (replica_unreported) on cloudsigma/gpt-5.5",
    ]);
  });
});
