import { GatewayPriceReader } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { RouteReader } from "@cloudsigma/taas-core/contracts/route-store";
import { processSlot, shutdownGroup } from "@cloudsigma/taas-core/process-scope";
import type { CallTracker } from "@cloudsigma/taas-core/usage/call-tracker";
import { layeredPrices, type PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import { lazyCallTracker } from "@cloudsigma/taas-core/usage/tracker-hooks";
import { geometryLookup } from "./cache/geometry.ts";
import { missLogger } from "./cache/miss-log.ts";
import type { LedgerConfig } from "./config.ts";
import { PLUGIN_ID } from "./config.ts";
import { LedgerPreviousCalls } from "./enrich/previous-call.ts";
import { ReadFailures } from "./enrich/read-failures.ts";
import { type RouteSource, routeSourceOf } from "./enrich/route-price.ts";
import { startGistCompat } from "./gist/gist-compat.ts";
import { ledgerPipeline } from "./pipeline.ts";
import { LedgerForwarder } from "./postgres/forwarder.ts";
import { postgresSink } from "./postgres/sink.ts";
import type { PgTarget } from "./postgres/target.ts";
import { readStoredPlateaus } from "./store/plateaus.ts";
import type { LedgerWriter, WriterLogger } from "./store/writer.ts";

/*
 * The usage ledger's process-wide state, and the only file of the plugin that touches it. The
 * host evaluates the plugin module once per surface (agent hooks, gateway methods, CLI), so the
 * hooks' instance and the gateway method's instance must find the same writer per ledger file:
 * it lives in a process slot. Shutdown (gateway stop, process exit) drains every instance's
 * open calls first, then closes the writers, then the readers (route store, previous calls).
 */

const writers = processSlot<LedgerWriter>(`${PLUGIN_ID}.writer`);
const routeReaders = processSlot<RouteReader>(`${PLUGIN_ID}.route-reader`);
const priceReaders = processSlot<GatewayPriceReader>(`${PLUGIN_ID}.gateway-price-reader`);
const forwarders = processSlot<LedgerForwarder>(`${PLUGIN_ID}.forwarder`);
/** Context reads that failed in this process, each kind said once (see read-failures.ts). */
const readFailures = processSlot<ReadFailures>(`${PLUGIN_ID}.read-failures`);
const shutdown = shutdownGroup(PLUGIN_ID);

const ORDER = { forwarders: 50, writers: 100, readers: 200 } as const;

let instances = 0;

export interface LedgerRuntimeOptions {
  dbPath: () => string;
  stateDir: () => string;
  config: LedgerConfig;
  logger: WriterLogger & { info(message: string): void };
  /** Where the original usage-ledger extension's file may be (its default place). */
  gist?: {
    configuredWorkspace: () => string | undefined;
    env: Readonly<Record<string, string | undefined>>;
  };
  /** The operator's prices (host config); the gateway's listed ones are read here. */
  prices: PriceLookup;
}

export interface LedgerRuntime {
  /** The one writer for the configured ledger file in this process. */
  writer(): LedgerWriter;
  /** This module instance's call tracker, started (with its sweep) on the first event. */
  tracker(): CallTracker;
  /** Starts the one forwarder of this ledger file to `target` in this process (gateway start). */
  startForwarder(target: PgTarget): void;
}

export function ledgerRuntime(options: LedgerRuntimeOptions): LedgerRuntime {
  const instance = ++instances;
  const writer = (): LedgerWriter => {
    const path = options.dbPath();
    return writers.obtain(
      path,
      () => {
        // Rows are priced at batch time: the config first, then what the gateway listed.
        const prices = layeredPrices(options.prices, listedPrices(options));
        const previousCalls = new LedgerPreviousCalls(path);
        // An original usage-ledger file: its history imported once, its table kept current.
        const gist = options.config.enabled ? gistMirror(path, options) : undefined;
        const created = ledgerPipeline({
          path,
          batchSize: options.config.batchSize,
          flushIntervalMs: options.config.flushIntervalMs,
          maxQueuedRows: options.config.maxQueuedRows,
          busyTimeoutMs: options.config.busyTimeoutMs,
          retentionDays: options.config.retentionDays,
          logger: options.logger,
          prices,
          routes: optimizerRoutes(options.stateDir),
          cache: {
            geometry: geometryLookup(options.config),
            previousCalls,
            storedPlateaus: () => readStoredPlateaus(path),
          },
          failures: readFailures.obtain("process", () => new ReadFailures(options.logger.warn)),
          onRow: missLogger({
            thresholdTokens: options.config.missLogTokens,
            warn: options.logger.warn,
          }),
          ...(gist ? { afterBatch: (rows) => gist.write(rows) } : {}),
        });
        shutdown.add(`previous-calls:${path}`, () => previousCalls.close(), ORDER.readers);
        if (gist) shutdown.add(`gist:${path}`, () => gist.close(), ORDER.readers);
        shutdown.add(`writer:${path}`, () => created.close(), ORDER.writers);
        return created;
      },
      { settings: options.config, onConflict: options.logger.warn },
    );
  };
  const startForwarder = (target: PgTarget): void => {
    const path = options.dbPath();
    const key = `${path}\u0000${target.label}`;
    forwarders.obtain(
      key,
      () => {
        const created = new LedgerForwarder({
          ledgerPath: path,
          target: target.label,
          gatewayId: target.gatewayId,
          sink: postgresSink(
            { url: target.url, table: target.table },
            { retentionDays: target.retentionDays, logger: options.logger },
          ),
          batchSize: target.batchSize,
          intervalMs: target.intervalMs,
          logger: options.logger,
        });
        created.start();
        shutdown.add(
          `forwarder:${target.label}`,
          () => {
            forwarders.forget(key);
            void created.stop();
          },
          ORDER.forwarders,
        );
        return created;
      },
      {
        settings: {
          gatewayId: target.gatewayId,
          batchSize: target.batchSize,
          intervalMs: target.intervalMs,
        },
        onConflict: options.logger.warn,
      },
    );
  };
  return {
    writer,
    startForwarder,
    tracker: lazyCallTracker({
      emit: (record) => writer().enqueue(record),
      prices: options.prices,
      shutdown,
      taskId: `tracker:${instance}`,
    }),
  };
}

function gistMirror(path: string, options: LedgerRuntimeOptions) {
  return startGistCompat({
    ledgerPath: path,
    stateDir: options.stateDir(),
    configuredWorkspace: options.gist?.configuredWorkspace(),
    env: options.gist?.env ?? {},
    busyTimeoutMs: options.config.busyTimeoutMs,
    logger: options.logger,
  });
}

/** Open calls are written and queued rows flushed (gateway stop; process exit does it too). */
export function shutdownLedger(): void {
  shutdown.run();
}

/**
 * What the token-cache optimizer captured per call (route, prompt digests), read through the
 * route-store seam (core's read-only RouteReader) under the same state dir. Without the
 * optimizer there is no store and every lookup answers nothing.
 */
function optimizerRoutes(stateDir: () => string): RouteSource {
  return routeSourceOf({
    byCallId: (callId) => routeReader(stateDir).byCallId(callId),
    prefixByCallId: (callId) => routeReader(stateDir).prefixByCallId(callId),
  });
}

/** One read-only view of the optimizer's route store per state dir and process. */
function routeReader(stateDir: () => string): RouteReader {
  const dir = stateDir();
  return routeReaders.obtain(dir, () => {
    const opened = new RouteReader(dir);
    shutdown.add(`routes:${dir}`, () => opened.close(), ORDER.readers);
    return opened;
  });
}

/**
 * The prices the TaaS provider's discovery last listed, read through the gateway-prices seam
 * (core's GatewayPriceReader) under the same state dir. Without the provider there is no
 * listing and every lookup answers nothing.
 */
function listedPrices({ stateDir, logger }: LedgerRuntimeOptions): PriceLookup {
  return (provider, model) => {
    const dir = stateDir();
    const reader = () => new GatewayPriceReader(dir, { warn: logger.warn });
    return priceReaders.obtain(dir, reader).lookup(provider, model);
  };
}
