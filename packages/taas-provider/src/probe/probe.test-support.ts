import { createEmulator, DEFAULT_API_KEY, type EmulatorOptions } from "@cloudsigma/taas-emulator";
import { PROBE_CAPS, ProbeBudget } from "./budget.ts";
import { probeClient } from "./client.ts";
import type { ProbeClock } from "./measure.ts";

/**
 * The emulator in-process with a hand-driven clock the probe shares: every wait the probe makes
 * moves the emulator's time at once, so minutes of pacing, ready delays and idle lifetimes
 * take no real time.
 */
export function emulatedEndpoint(options: EmulatorOptions = {}) {
  let now = 1_750_000_000_000;
  const emulator = createEmulator({ ...options, now: () => now });
  const clock: ProbeClock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  const fetch: typeof globalThis.fetch = async (input, init) =>
    emulator.handle(new Request(input, init));
  const budget = new ProbeBudget({
    maxRequests: PROBE_CAPS.requests.ceiling,
    maxTokens: PROBE_CAPS.tokens.ceiling,
  });
  const send = probeClient({
    baseUrl: "http://127.0.0.1:8787/v1",
    apiKey: options.apiKey ?? DEFAULT_API_KEY,
    pluginVersion: "test",
    timeoutMs: 5_000,
    budget,
    fetch,
  });
  return { emulator, clock, fetch, budget, send };
}
