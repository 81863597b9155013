import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";
import type { CallObservation } from "./accounting.ts";
import { type CacheGeometry, cacheableTokens } from "./geometry.ts";

/** OpenAI's documented geometry, no plateau configured (learned), no ready delay. */
export const geometry: CacheGeometry = {
  minTokens: 1024,
  stepTokens: 128,
  ttlMs: 300_000,
  plateauTokens: null,
  readyDelayMs: 0,
};

/** A model known to have no plateau: every short read is a miss. */
export const noPlateau: CacheGeometry = { ...geometry, plateauTokens: 0 };

/** A prompt of `tools` tool schemas, `system` system messages, then `history` messages. */
export function prefix(spec: {
  tools?: string[];
  system?: string[];
  history?: string[];
}): PromptPrefix {
  const tools = spec.tools ?? ["t1", "t2"];
  const system = spec.system ?? ["sys"];
  const history = spec.history ?? [];
  return {
    segments: [...tools, ...system, ...history].map((d): [string, number] => [d, 100]),
    tools: tools.length,
    system: system.length,
  };
}

export const call = (overrides: Partial<CallObservation>): CallObservation => ({
  ts: 1_000_000,
  promptTokens: 5000,
  cacheRead: 0,
  cacheWrite: 0,
  upstream: "replica-1",
  prefix: prefix({ history: ["u1"] }),
  ...overrides,
});

// Previous call: 4 segments (t1 t2 sys u1) of 100 chars = 4000 tokens; this call appends a2 u2.
export const previous = call({ promptTokens: 4000 });
export const next = (overrides: Partial<CallObservation>): CallObservation =>
  call({ ts: 1_060_000, prefix: prefix({ history: ["u1", "a1", "u2"] }), ...overrides });
/** All of the previous prompt a cache can hold: 3968. */
export const full = cacheableTokens(4000, geometry);
