import type { EmulatorOptions, EmulatorProfile } from "./types.ts";

/** The options whose defaults a profile chooses. */
export type RuleOptions = Required<
  Pick<
    EmulatorOptions,
    | "requireAgentId"
    | "keyOrder"
    | "keylessRouting"
    | "affinityBinding"
    | "slotMaxConcurrent"
    | "slotRequestsPerMinute"
    | "slotOverflow"
    | "cacheProfiles"
    | "cachePlateauTokens"
    | "cacheReadyDelayMs"
    | "cachePerModel"
    | "upstreamHeader"
    | "autorouterAlgorithms"
  >
>;

/**
 * The profile a caller gets without asking: the service as its sources describe it. `legacy`
 * (the emulator's historic rules) is there for tests written against them.
 */
export const DEFAULT_PROFILE: EmulatorProfile = "documented";

/** OpenClaw's live probes saw OpenAI-family reads stop near this many tokens (OpenClaw's prompt-caching doc). */
export const DOCUMENTED_PLATEAU_TOKENS = 4864;
/** "Cache construction takes a few seconds" (OpenClaw's prompt-caching doc, DeepSeek-style): the emulator's guess. */
export const DOCUMENTED_READY_DELAY_MS = 5000;
/** OpenAI: keep each prefix+key below ~15 requests per minute or it overflows to other machines. */
export const DOCUMENTED_REQUESTS_PER_MINUTE = 15;

/**
 * One table for both profiles, so every rule option has exactly one legacy default (what the
 * emulator always did, which the suite's tests were written against) and one documented one.
 */
export const PROFILE_DEFAULTS: Record<EmulatorProfile, RuleOptions> = {
  legacy: {
    requireAgentId: false,
    keyOrder: "emulator",
    keylessRouting: "random",
    affinityBinding: "hash",
    slotMaxConcurrent: 0,
    slotRequestsPerMinute: 0,
    slotOverflow: "spill",
    cacheProfiles: false,
    cachePlateauTokens: 0,
    cacheReadyDelayMs: 0,
    cachePerModel: false,
    upstreamHeader: true,
    autorouterAlgorithms: false,
  },
  documented: {
    requireAgentId: true,
    keyOrder: "documented",
    keylessRouting: "continuity",
    affinityBinding: "stored",
    slotMaxConcurrent: 0,
    slotRequestsPerMinute: DOCUMENTED_REQUESTS_PER_MINUTE,
    slotOverflow: "spill",
    cacheProfiles: true,
    cachePlateauTokens: DOCUMENTED_PLATEAU_TOKENS,
    cacheReadyDelayMs: DOCUMENTED_READY_DELAY_MS,
    cachePerModel: true,
    upstreamHeader: false,
    autorouterAlgorithms: true,
  },
};

/** Each rule option as given, else the profile's default. */
export function ruleOptions(options: EmulatorOptions, profile: EmulatorProfile): RuleOptions {
  const base = PROFILE_DEFAULTS[profile];
  const rules = { ...base };
  for (const name of Object.keys(base) as (keyof RuleOptions)[]) {
    const given = options[name];
    if (given !== undefined) Object.assign(rules, { [name]: given });
  }
  return rules;
}
