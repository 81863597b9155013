export {
  AUTOROUTER_ALGORITHM_SOURCE,
  AUTOROUTER_ALGORITHMS,
  type AutorouterAlgorithm,
  LONG_CONTEXT_THRESHOLD,
} from "./autorouter.ts";
export {
  CACHE_CAUSE_HEADER,
  CACHE_CAUSES,
  CACHE_IDEAL_HEADER,
  type CacheCause,
  type CacheTruth,
  type LedgerCause,
  type LedgerCauseOptions,
  ledgerCauseOf,
} from "./cache-cause.ts";
export { type CacheProfile, cacheProfileFor } from "./cache-profiles.ts";
export {
  AUTO_MODEL_ID,
  DEFAULT_CATALOG,
  DEFAULT_MODEL_ID,
  DISCOVERY_ONLY_MODELS,
  SEED_MODELS,
} from "./catalog.ts";
export { createEmulator, createEmulatorHandler } from "./emulator.ts";
export { DEFAULT_API_KEY, DEFAULT_KEYLESS_SEED, resolveOptions } from "./options.ts";
export { DEFAULT_PROFILE, PROFILE_DEFAULTS, type RuleOptions } from "./profiles.ts";
export { SeededRandom } from "./seeded-random.ts";
export { startEmulator } from "./server.ts";
export type {
  AffinityBinding,
  Emulator,
  EmulatorHandler,
  EmulatorOptions,
  EmulatorProfile,
  EmulatorStats,
  FallbackReason,
  KeylessRouting,
  KeyOrder,
  MatchReason,
  ModelCapabilities,
  ModelRow,
  ModelsFault,
  ModelsListing,
  ModelType,
  PlainModelRow,
  RecordedRequest,
  ReplicaStats,
  RoutingSource,
  RunningEmulator,
  SlotOverflow,
  StartOptions,
} from "./types.ts";
export {
  AFFINITY_BINDINGS,
  EMULATOR_PROFILES,
  KEY_ORDERS,
  KEYLESS_ROUTINGS,
  MODELS_FAULTS,
  MODELS_LISTINGS,
  SLOT_OVERFLOWS,
} from "./types.ts";
