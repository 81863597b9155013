import { GatewayPriceReader } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { onKeepWarmPing } from "@cloudsigma/taas-core/contracts/keep-warm";
import { ProbedGeometryReader } from "@cloudsigma/taas-core/contracts/probed-geometry";
import { RouteReader } from "@cloudsigma/taas-core/contracts/route-store";
import { processSlot, shutdownGroup } from "@cloudsigma/taas-core/process-scope";
import { isRecord } from "@cloudsigma/taas-core/records";
import type { CallTracker } from "@cloudsigma/taas-core/usage/call-tracker";
import { layeredPrices, type PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import { lazyCallTracker } from "@cloudsigma/taas-core/usage/tracker-hooks";
import { type GeometryLookup, geometryLookup, type ProbedLookup } from "./cache/geometry.ts";
import { missLogger } from "./cache/miss-log.ts";
import type { LedgerConfig } from "./config.ts";
import { PLUGIN_ID } from "./config.ts";
import { LedgerPreviousCalls } from "./enrich/previous-call.ts";
import { ReadFailures } from "./enrich/read-failures.ts";
import { type RouteSource, routeSourceOf } from "./enrich/route-price.ts";
import { startGistCompat } from "./gist/gist-compat.ts";
import { pingRecord } from "./keep-warm/ping-row.ts";
import { KeepWarmPublisher } from "./keep-warm/publisher.ts";
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
const geometryReaders = processSlot<ProbedGeometryReader>(`${PLUGIN_ID}.probed-geometry-reader`);
const forwarders = processSlot<LedgerForwarder>(`${PLUGIN_ID}.forwarder`);
const keepWarmPublishers = processSlot<KeepWarmPublisher>(`${PLUGIN_ID}.keep-warm`);
const pingListeners = processSlot<() => void>(`${PLUGIN_ID}.keep-warm-pings`);
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
  /** The host config as it is now: which endpoint a provider's probed geometry is taken from. */
  hostConfig?: () => unknown;
}

export interface LedgerRuntime {
  /** The one writer for the configured ledger file in this process. */
  writer(): LedgerWriter;
  /** This module instance's call tracker, started (with its sweep) on the first event. */
  tracker(): CallTracker;
  /** Starts the one forwarder of this ledger file to `target` in this process (gateway start). */
  startForwarder(target: PgTarget): void;
  /** Starts the keep-warm advice's timer for this ledger file (gateway start). */
  startKeepWarmAdvice(): void;
  /** Records the optimizer's keep-warm pings in this process as rows (once per process). */
  recordKeepWarmPings(): void;
  /** The prices rows are priced with: the config first, then the gateway's listing. */
  prices: PriceLookup;
  /** The cache geometry rows are accounted with: configured, else probed, else the default. */
  geometry: GeometryLookup;
}

export function ledgerRuntime(options: LedgerRuntimeOptions): LedgerRuntime {
  const instance = ++instances;
  // Rows are priced at batch time: the config first, then what the gateway listed.
  const prices = layeredPrices(options.prices, listedPrices(options));
  // One geometry per model for the rows, the keep-warm advice and its gateway method alike.
  const geometry = geometryLookup(
    options.config,
    probedGeometry(options.stateDir, options.hostConfig ?? (() => undefined)),
  );
  const writer = (): LedgerWriter => {
    const path = options.dbPath();
    return writers.obtain(
      path,
      () => {
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
            geometry,
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
  const startKeepWarmAdvice = (): void => {
    const path = options.dbPath();
    keepWarmPublishers.obtain(path, () => {
      const created = new KeepWarmPublisher({
        dbPath: options.dbPath,
        stateDir: options.stateDir,
        lookups: () => ({ geometry, prices }),
        everyMs: options.config.keepWarmAdviceSeconds * 1000,
        flush: () => writer().flush(),
        warn: options.logger.warn,
      });
      created.start();
      shutdown.add(
        `keep-warm:${path}`,
        () => {
          keepWarmPublishers.forget(path);
          created.stop();
        },
        ORDER.forwarders,
      );
      return created;
    });
  };
  const recordKeepWarmPings = (): void => {
    pingListeners.obtain("process", () => {
      const unsubscribe = onKeepWarmPing((ping) => writer().enqueue(pingRecord(ping)));
      shutdown.add("keep-warm-pings", () => {
        unsubscribe();
        pingListeners.forget("process");
      });
      return unsubscribe;
    });
  };
  return {
    writer,
    startForwarder,
    startKeepWarmAdvice,
    recordKeepWarmPings,
    prices,
    geometry,
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

/**
 * The probe's measurements (the probed-geometry seam), one reader per state dir in the
 * process: a provider's measurement at the endpoint its host config names, else the newest.
 */
export function probedGeometry(stateDir: () => string, hostConfig: () => unknown): ProbedLookup {
  return (provider, model) => {
    const dir = stateDir();
    const reader = geometryReaders.obtain(dir, () => new ProbedGeometryReader(dir));
    return reader.lookup(provider, model, configuredBaseUrl(hostConfig(), provider));
  };
}

/** `models.providers.<provider>.baseUrl` of the host config, when set. */
function configuredBaseUrl(config: unknown, provider: string): string | undefined {
  const models = isRecord(config) ? config.models : undefined;
  const providers = isRecord(models) ? models.providers : undefined;
  const entry = isRecord(providers) ? providers[provider] : undefined;
  const baseUrl = isRecord(entry) ? entry.baseUrl : undefined;
  return typeof baseUrl === "string" && baseUrl.trim() !== "" ? baseUrl : undefined;
}
