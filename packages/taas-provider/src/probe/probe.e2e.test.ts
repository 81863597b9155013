import { ProbedGeometryReader } from "@cloudsigma/taas-core/contracts/probed-geometry";
import { type RunningEmulator, resolveOptions } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseJsonOutput,
  type StateDir,
  startHost,
  tearDownHost,
} from "../../../../e2e/harness/index.ts";
import { emulatorLog, KEY, pathLoadedPlugin, recordHost } from "../e2e.test-support.ts";
import type { ProbeReport } from "./output.ts";

// The operator's `openclaw cloudsigma probe` in the real host (a CLI process, no gateway),
// against the emulator's documented profile. Its per-replica request rate is lifted and the
// probe's own rate too (`--rate 0`), so the run takes seconds; the rate, the delayed family,
// the lifetime, every profile and the stops (refused key, timeout, malformed usage) are proven
// in-process (measure.test.ts, run.test.ts).

const EMULATOR = { profile: "documented", slotRequestsPerMinute: 0 } as const;

describe("openclaw cloudsigma probe in the real host", () => {
  let emulator: RunningEmulator;
  let state: StateDir;
  const host = recordHost();
  const requests = emulatorLog(() => emulator);

  beforeAll(async () => {
    ({ emulator, state } = await startHost({
      name: "taas-provider-probe",
      emulator: EMULATOR,
      config: ({ emulator }) => ({
        configureProvider: false,
        extra: pathLoadedPlugin(emulator.url),
      }),
    }));
  });

  afterAll(() => tearDownHost({ emulator, state }));

  it("measures the default model, prints it as JSON and saves it where the ledger reads it", async () => {
    const before = requests.lastSeq();
    const result = await host.cli(
      state,
      ["cloudsigma", "probe", "--json", "--yes", "--rate", "0", "--prefix-tokens", "5120"],
      { CLOUDSIGMA_API_KEY: KEY },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/gpt-5\.5: about \d+ requests, [\d,]+ tokens/);
    const report = parseJsonOutput<ProbeReport>(result, "cloudsigma probe");
    const truth = resolveOptions(EMULATOR);
    const sent = requests.since(before);
    expect(report.endpoint).toBe(emulator.url);
    expect(report.models).toMatchObject([
      {
        probe: {
          model: "gpt-5.5",
          cached: true,
          minTokens: truth.minCacheTokens,
          stepTokens: truth.cacheStepTokens,
          plateauTokens: truth.cachePlateauTokens,
          readyDelay: { atMostMs: 0 },
          reportsWrites: false,
          identity: { withAgent: { hits: 3, reads: 3 } },
        },
        spent: { requests: sent.length },
      },
    ]);
    expect(report.models[0]?.probe.identity?.withoutAgent.hits).toBeLessThan(3);
    // Every request carried a fresh session id of this run, and all but the identity check's
    // second conversation an agent id.
    const withoutAgent = sent.filter((r) => r.agentId === null);
    expect(withoutAgent).toHaveLength(1 + 3);
    expect(
      new ProbedGeometryReader(state.dir).lookup("cloudsigma", "gpt-5.5", emulator.url),
    ).toMatchObject({
      minTokens: truth.minCacheTokens,
      stepTokens: truth.cacheStepTokens,
      plateauTokens: truth.cachePlateauTokens,
      readyDelayMs: 0,
      ttlMs: null,
    });
    expect(host.containing(KEY)).toEqual([]);
  });
});
