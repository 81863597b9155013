import { GatewayPriceReader } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { RouteReader } from "@cloudsigma/taas-core/contracts/route-store";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { processSlot, shutdownGroup } from "@cloudsigma/taas-core/process-scope";
import type { CallTracker } from "@cloudsigma/taas-core/usage/call-tracker";
import { layeredPrices, type PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import {
  type CallRoute,
  routedPricing,
  routeOfCapture,
} from "@cloudsigma/taas-core/usage/routed-pricing";
import { lazyCallTracker, oncePerError } from "@cloudsigma/taas-core/usage/tracker-hooks";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import { type AuditConfig, PLUGIN_ID } from "./config.ts";
import { DeferredLines } from "./deferred-lines.ts";
import { JsonlLog } from "./jsonl-log.ts";

/*
 * The token audit's process-wide state, and the only file of the plugin that touches it: one
 * JSONL log per file in the process (every module instance the host evaluates appends to the
 * same buffer), each instance's call tracker and its sweep, and one read-only view per state
 * dir of what the other plugins saved for pricing (the optimizer's route store, the provider's
 * listed prices). Shutdown (gateway stop, process exit) drains the trackers first, then writes
 * the lines still waiting to be priced, then flushes the logs, then closes the readers.
 */

const logs = processSlot<JsonlLog>(`${PLUGIN_ID}.log`);
const routeReaders = processSlot<RouteReader>(`${PLUGIN_ID}.route-reader`);
const priceReaders = processSlot<GatewayPriceReader>(`${PLUGIN_ID}.gateway-price-reader`);
const shutdown = shutdownGroup(PLUGIN_ID);

/** Trackers drain first (order 0), then waiting lines are written, then logs flushed. */
const ORDER = { lines: 50, logs: 100, readers: 200 } as const;

let instances = 0;

export interface AuditRuntime {
  /** The one log for `path` in this process. */
  log(path: string): JsonlLog;
  /** This module instance's call tracker, started (with its sweep) on the first event. */
  tracker(): CallTracker;
}

export function auditRuntime(options: {
  config: AuditConfig;
  warn: (message: string) => void;
  stateDir: () => string;
  /** The operator's prices (host config); the gateway's listed ones are read here. */
  prices: PriceLookup;
  /** Where a finished call's line goes. */
  auditLine: (record: UsageRecord) => unknown;
  auditPath: () => string;
}): AuditRuntime {
  const instance = ++instances;
  const { config, warn } = options;
  const log = (path: string): JsonlLog =>
    logs.obtain(
      path,
      () => {
        const report = oncePerError(warn);
        const created = new JsonlLog({
          path,
          maxBytes: config.maxFileBytes,
          maxFiles: config.maxFiles,
          onError: (error) => report(`write ${path}`, error),
        });
        shutdown.add(`log:${path}`, () => created.flush(), ORDER.logs);
        return created;
      },
      {
        settings: { maxFileBytes: config.maxFileBytes, maxFiles: config.maxFiles },
        onConflict: warn,
      },
    );
  const prices = layeredPrices(options.prices, listedPrices(options.stateDir, warn));
  const route = callRoute(options.stateDir, warn);
  // Priced as the ledger prices its row: by the routed model of an autorouted call, a moment
  // after the call ended (deferred-lines.ts says why).
  const lines = new DeferredLines<UsageRecord>((record) => {
    const priced = { ...record, ...routedPricing(record, route(record.callId), prices) };
    log(options.auditPath()).append(options.auditLine(priced));
  });
  shutdown.add(`lines:${instance}`, () => lines.flush(), ORDER.lines);
  return {
    log,
    tracker: lazyCallTracker({
      emit: (record) => {
        // Opened now, so its flush is registered before a shutdown that writes this line.
        log(options.auditPath());
        lines.add(record);
      },
      prices: options.prices,
      shutdown,
      taskId: `tracker:${instance}`,
    }),
  };
}

/**
 * The optimizer's capture of a call (the route-store seam), read when its line is written: it
 * stores a capture right after the response headers, before the call's usage exists. Without
 * the optimizer there is no store and no route; a store that cannot be read is said once per
 * kind of failure and the call is priced as if it had no route.
 */
function callRoute(
  stateDir: () => string,
  warn: (message: string) => void,
): (callId: string | null) => CallRoute | undefined {
  const said = new Set<string>();
  return (callId) => {
    if (!callId) return undefined;
    const dir = stateDir();
    try {
      const reader = routeReaders.obtain(dir, () => {
        const opened = new RouteReader(dir);
        shutdown.add(`routes:${dir}`, () => opened.close(), ORDER.readers);
        return opened;
      });
      return routeOfCapture(reader.byCallId(callId));
    } catch (error) {
      const message = errorText(error, 200);
      if (!said.has(message) && said.size < 20) {
        said.add(message);
        warn(
          `cannot read the optimizer's route store (${message}); an autorouted call's line is priced as unknown until it can be read`,
        );
      }
      return undefined;
    }
  };
}

/** The prices the TaaS provider last listed (the gateway-prices seam), under the same state dir. */
function listedPrices(stateDir: () => string, warn: (message: string) => void): PriceLookup {
  return (provider, model) => {
    const dir = stateDir();
    const reader = () => new GatewayPriceReader(dir, { warn });
    return priceReaders.obtain(dir, reader).lookup(provider, model);
  };
}

/** Open calls are written and buffered lines flushed (gateway stop; process exit does it too). */
export function shutdownAudit(): void {
  shutdown.run();
}
