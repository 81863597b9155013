import { LedgerWriter, type WriterLogger } from "@cloudsigma/taas-core/ledger-writer";
import { onShutdown, processSingleton } from "@cloudsigma/taas-core/process-scope";
import { RouteStore } from "@cloudsigma/taas-core/route-store";
import type { RouteLookup } from "@cloudsigma/taas-core/usage-record";
import type { LedgerConfig } from "./config.ts";
import { PLUGIN_ID } from "./config.ts";

/** Shutdown keys of this plugin: trackers drain first (order 0), then writers flush (100). */
export const SHUTDOWN_PREFIX = `${PLUGIN_ID}:`;

/**
 * The one ledger writer per database file in this process. The host evaluates the plugin
 * module once per surface (agent hooks, gateway methods, CLI), so the hooks' instance and the
 * gateway method's instance must find the same writer: it lives in the process scope, and
 * is closed (flushed) on gateway stop and at process exit.
 */
export function sharedLedgerWriter(
  path: string,
  config: LedgerConfig,
  logger: WriterLogger,
  routeLookup?: RouteLookup,
): LedgerWriter {
  const key = `${SHUTDOWN_PREFIX}writer:${path}`;
  return processSingleton(key, () => {
    const writer = new LedgerWriter({
      path,
      batchSize: config.batchSize,
      flushIntervalMs: config.flushIntervalMs,
      maxQueuedRows: config.maxQueuedRows,
      busyTimeoutMs: config.busyTimeoutMs,
      retentionDays: config.retentionDays,
      logger,
      ...(routeLookup ? { routeLookup } : {}),
    });
    onShutdown(key, () => writer.close(), 100);
    return writer;
  });
}

/** Plugin-prefixed logger lines. */
export function prefixed(logger: { warn(m: string): void; error(m: string): void }): WriterLogger {
  return {
    warn: (message) => logger.warn(`[${PLUGIN_ID}] ${message}`),
    error: (message) => logger.error(`[${PLUGIN_ID}] ${message}`),
  };
}

/**
 * The upstream route the token-cache optimizer (openclaw-taas-affinity) captured for a call,
 * read from its route store under the same state dir. Without the optimizer there is no
 * store and every lookup answers nothing.
 */
export function optimizerRouteLookup(stateDir: string): RouteLookup {
  const store = processSingleton(`${SHUTDOWN_PREFIX}routes:${stateDir}`, () => {
    const opened = new RouteStore(stateDir);
    onShutdown(`${SHUTDOWN_PREFIX}routes:${stateDir}`, () => opened.close(), 200);
    return opened;
  });
  return (callId) => store.byCallId(callId)?.upstream;
}
