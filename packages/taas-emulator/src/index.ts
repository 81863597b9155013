export { AUTOROUTER_ALGORITHM_SOURCE, LONG_CONTEXT_THRESHOLD } from "./autorouter.ts";
export {
  CACHE_CAUSE_HEADER,
  CACHE_CAUSES,
  CACHE_IDEAL_HEADER,
  type CacheCause,
  type CacheTruth,
  type LedgerCause,
  ledgerCauseOf,
} from "./cache-cause.ts";
export {
  AUTO_MODEL_ID,
  DEFAULT_CATALOG,
  DEFAULT_MODEL_ID,
  DISCOVERY_ONLY_MODELS,
  SEED_MODELS,
} from "./catalog.ts";
export { createEmulator, createEmulatorHandler } from "./emulator.ts";
export { DEFAULT_API_KEY, DEFAULT_KEYLESS_SEED } from "./options.ts";
export { startEmulator } from "./server.ts";
export type {
  Emulator,
  EmulatorHandler,
  EmulatorOptions,
  EmulatorStats,
  KeylessRouting,
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
  StartOptions,
} from "./types.ts";
export { KEYLESS_ROUTINGS, MODELS_FAULTS, MODELS_LISTINGS } from "./types.ts";
