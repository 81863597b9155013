import type { OrchestratorSettings } from "./config.ts";
import type { TrackingStore } from "./tracking-store.ts";

/** The host's system-event queue and heartbeat, as the retry logic uses them. */
export interface SystemEvents {
  /** Queues text for the session's next model request; false when the host refused it. */
  enqueue(text: string, options: { sessionKey: string; contextKey: string }): boolean;
  /** Asks the host to run the session soon, so the queued event is seen without user input. */
  requestHeartbeat(options: { sessionKey: string; reason: string }): void;
}

interface OrchestratorLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What every hook handler of the plugin works with; tests pass their own clock and fakes. */
export interface OrchestratorDeps {
  settings: OrchestratorSettings;
  store: () => TrackingStore;
  now: () => number;
  logger: OrchestratorLogger;
  system: SystemEvents;
}

/** A running orchestrator that has not been heard of for this long no longer blocks a new one. */
export const ORCHESTRATOR_STALE_MS = 2 * 60 * 60 * 1000;
