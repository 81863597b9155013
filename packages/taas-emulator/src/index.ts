export { AUTOROUTER_ALGORITHM_SOURCE, LONG_CONTEXT_THRESHOLD } from "./autorouter.ts";
export {
  AUTO_MODEL_ID,
  DEFAULT_CATALOG,
  DEFAULT_MODEL_ID,
  DISCOVERY_ONLY_MODELS,
  SEED_MODELS,
} from "./catalog.ts";
export { createEmulator, createEmulatorHandler } from "./emulator.ts";
export { DEFAULT_API_KEY } from "./options.ts";
export { startEmulator } from "./server.ts";
export type {
  Emulator,
  EmulatorHandler,
  EmulatorOptions,
  EmulatorStats,
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
export { MODELS_FAULTS, MODELS_LISTINGS } from "./types.ts";
