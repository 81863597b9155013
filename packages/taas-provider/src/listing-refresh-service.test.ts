import type { OpenClawPluginServiceContext } from "openclaw/plugin-sdk/plugin-entry";
import { describe, expect, it, vi } from "vitest";
import { settingsFor } from "./catalog.test-support.ts";
import type { RefreshOutcome } from "./listing-refresh.ts";
import { listingRefreshService, type RefreshTimer } from "./listing-refresh-service.ts";

// The service's schedule: one refresh when the gateway starts, then one every
// listingRefreshMinutes, none after stop, none at all for 0. The refresh itself is
// listing-refresh.test.ts; here it runs with discovery off, so it reads nothing.

const ctx = {} as OpenClawPluginServiceContext;

function scheduled(minutes: number) {
  const timers: Array<{ run: () => void; ms: number; cleared: boolean }> = [];
  const timer: RefreshTimer = {
    set: (run, ms) => {
      const entry = { run, ms, cleared: false };
      timers.push(entry);
      return entry;
    },
    clear: (handle) => {
      (handle as { cleared: boolean }).cleared = true;
    },
  };
  const outcomes: RefreshOutcome[] = [];
  const service = listingRefreshService({
    deps: {
      settings: settingsFor({ discovery: false, listingRefreshMinutes: minutes }),
      config: () => ({}),
      apiKey: async () => undefined,
      publishPrices: async () => {},
      updateConfig: async () => undefined,
      info: () => {},
      warn: () => {},
    },
    timer,
    onRefresh: (outcome) => outcomes.push(outcome),
  });
  return { service, timers, outcomes };
}

describe("the listing refresh service", () => {
  it("refreshes at start, then every listingRefreshMinutes until stopped", async () => {
    const { service, timers, outcomes } = scheduled(15);
    await service.start(ctx);
    await vi.waitFor(() => expect(timers.map((t) => t.ms)).toEqual([15 * 60_000]));
    expect(outcomes).toHaveLength(1);
    timers[0]?.run();
    await vi.waitFor(() => expect(timers).toHaveLength(2));
    expect(outcomes).toHaveLength(2);
    await service.stop?.(ctx);
    expect(timers[1]?.cleared).toBe(true);
    timers[1]?.run();
    await Promise.resolve();
    expect(outcomes).toHaveLength(2);
  });

  it("does nothing at all when listingRefreshMinutes is 0", async () => {
    const { service, timers, outcomes } = scheduled(0);
    await service.start(ctx);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect([timers, outcomes]).toEqual([[], []]);
  });
});
