import { CallTracker } from "@cloudsigma/taas-core/call-tracker";
import { onShutdown, runShutdown } from "@cloudsigma/taas-core/process-scope";
import { oncePerError, trackerHandlers } from "@cloudsigma/taas-core/tracker-hooks";
import type { PriceLookup } from "@cloudsigma/taas-core/usage-cost";
import type { RouteLookup } from "@cloudsigma/taas-core/usage-record";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import type { LedgerConfig } from "./config.ts";
import { prefixed, SHUTDOWN_PREFIX, sharedLedgerWriter } from "./ledger-runtime.ts";

export interface LedgerHookDeps {
  config: LedgerConfig;
  dbPath: () => string;
  prices: PriceLookup;
  /** Upstream route the optimizer captured for a call, filled in when the row is written. */
  routeLookup?: RouteLookup;
  sweepEveryMs?: number;
}

let instances = 0;

/**
 * Records every model call the host reports into the ledger. Nothing is opened at register
 * time: the tracker, its sweep timer and the database writer start with the first event, so
 * the host's discovery-mode registrations (which never see events) cost nothing.
 */
export function registerLedgerHooks(api: OpenClawPluginApi, deps: LedgerHookDeps): void {
  const instance = ++instances;
  const logger = prefixed(api.logger);
  let tracker: CallTracker | undefined;
  const started = (): CallTracker => {
    if (tracker) return tracker;
    const writer = () => sharedLedgerWriter(deps.dbPath(), deps.config, logger, deps.routeLookup);
    const created = new CallTracker({
      emit: (record) => writer().enqueue(record),
      prices: deps.prices,
    });
    const sweep = setInterval(() => created.sweep(), deps.sweepEveryMs ?? 5_000);
    sweep.unref();
    onShutdown(`${SHUTDOWN_PREFIX}tracker:${instance}`, () => created.drain(), 0);
    tracker = created;
    return created;
  };
  const handlers = trackerHandlers(started, oncePerError(logger.warn));
  api.on("model_call_started", handlers.model_call_started);
  api.on("model_call_ended", handlers.model_call_ended);
  api.on("before_message_write", handlers.before_message_write);
  api.on("llm_input", handlers.llm_input);
  api.on("llm_output", handlers.llm_output);
  api.on("agent_end", handlers.agent_end);
  // Open calls are written and queued rows flushed before the gateway goes (exit does it too).
  api.on("gateway_stop", () => runShutdown(SHUTDOWN_PREFIX));
}
