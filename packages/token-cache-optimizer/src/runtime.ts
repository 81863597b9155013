import { randomUUID } from "node:crypto";
import {
  KeepWarmVerdictReader,
  reportKeepWarmPing,
} from "@cloudsigma/taas-core/contracts/keep-warm";
import { RouteReader } from "@cloudsigma/taas-core/contracts/route-store";
import {
  AFFINITY_DECORATOR,
  publishStreamDecorator,
  type StreamDecorator,
} from "@cloudsigma/taas-core/contracts/stream-decorators";
import { processSlot, shutdownGroup } from "@cloudsigma/taas-core/process-scope";
import { AutorouterPreferences } from "./autorouter-preferences.ts";
import { CaptureWriter } from "./capture-writer.ts";
import { PLUGIN_ID } from "./config.ts";
import { loadInstallKey } from "./install-key.ts";
import { type KeepWarmConfig, KeepWarmPinger } from "./keep-warm/pinger.ts";
import { PING_CALL_PREFIX } from "./keep-warm/resend.ts";
import { type RouteStoreCaps, RouteStoreWriter } from "./route-store-writer.ts";
import { type BoundedLoadSettings, ShardBalancer } from "./shard-balancer.ts";
import { TurnTracker } from "./turn-tracker.ts";

/*
 * The optimizer's process-wide state, and the only file of the plugin that touches it. The host
 * evaluates this module several times per process (one instance per registration mode), and
 * one turn's calls and the lastRoute method may reach different instances, so the route store,
 * its capture writer and the turn tracker live in process slots. Shutdown (gateway stop,
 * process exit) writes the captures still queued.
 */

interface RouteStoreHandles {
  captures: CaptureWriter;
  reader: RouteReader;
}

const routeStores = processSlot<RouteStoreHandles>(`${PLUGIN_ID}.route-store`);
const turnTrackers = processSlot<TurnTracker>(`${PLUGIN_ID}.turn-tracker`);
const installKeys = processSlot<string>(`${PLUGIN_ID}.install-key`);
const preferences = processSlot<AutorouterPreferences>(`${PLUGIN_ID}.autorouter-preferences`);
const pingers = processSlot<KeepWarmPinger>(`${PLUGIN_ID}.keep-warm`);
const shardBalancers = processSlot<ShardBalancer>(`${PLUGIN_ID}.shard-balancer`);
const shutdown = shutdownGroup(PLUGIN_ID);

export interface OptimizerRuntime {
  /** The queue that writes captures to the route store under the state dir, off the request path. */
  captureWriter(): CaptureWriter;
  /** The read side of the same store, for the lastRoute method. */
  routeReader(): RouteReader;
  /** One tracker per process: the calls of one run may reach different module instances. */
  turnTracker(): TurnTracker;
  /** The install's id key, read (or created) once per process and state dir. */
  idKey(): string;
  /**
   * The operator's autorouter algorithms: the gateway method that sets them and the provider
   * hook that sends them run in different module instances of this process.
   */
  autorouterPreferences(): AutorouterPreferences;
  /**
   * The one keep-warm pinger of this process: the stream wrapper of whichever module instance
   * serves a request tells it; it reads the usage ledger's verdicts and reports each ping to
   * the ledger through the keep-warm seam.
   */
  keepWarmPinger(config: KeepWarmConfig): KeepWarmPinger;
  /**
   * The bounded scope's shard loads: every module instance that sends calls must count them
   * in the same minute, or each would see a fraction of an agent's load.
   */
  shardBalancer(settings: BoundedLoadSettings): ShardBalancer;
}

export function optimizerRuntime(options: {
  stateDir: () => string;
  caps: RouteStoreCaps;
  warn: (message: string) => void;
}): OptimizerRuntime {
  const store = (): RouteStoreHandles => {
    const dir = options.stateDir();
    return routeStores.obtain(
      dir,
      () => {
        const writer = new RouteStoreWriter(dir);
        const captures = new CaptureWriter({
          sink: () => writer,
          caps: options.caps,
          warn: options.warn,
        });
        const reader = new RouteReader(dir);
        shutdown.add(`routes:${dir}`, () => {
          captures.flush();
          writer.close();
          reader.close();
        });
        return { captures, reader };
      },
      { settings: options.caps, onConflict: options.warn },
    );
  };
  return {
    captureWriter: () => store().captures,
    routeReader: () => store().reader,
    turnTracker: () => turnTrackers.obtain("process", () => new TurnTracker()),
    autorouterPreferences: () => preferences.obtain("process", () => new AutorouterPreferences()),
    keepWarmPinger: (config) =>
      pingers.obtain(
        "process",
        () => {
          const verdicts = new KeepWarmVerdictReader(options.stateDir());
          const pinger = new KeepWarmPinger({
            config,
            verdict: (agentId) => verdicts.verdict(agentId),
            report: reportKeepWarmPing,
            warn: options.warn,
            newCallId: () => `${PING_CALL_PREFIX}${randomUUID()}:model:1`,
          });
          shutdown.add("keep-warm", () => {
            pinger.stop();
            pingers.forget("process");
          });
          return pinger;
        },
        { settings: config, onConflict: options.warn },
      ),
    shardBalancer: (settings) =>
      shardBalancers.obtain("process", () => new ShardBalancer(settings), {
        settings,
        onConflict: options.warn,
      }),
    idKey: () => {
      const dir = options.stateDir();
      return installKeys.obtain(dir, () => {
        const loaded = loadInstallKey(dir);
        if (!loaded.stable) {
          options.warn(
            `cannot keep an id key under ${dir} (${loaded.why}); affinity ids will change when the gateway restarts`,
          );
        }
        return loaded.key;
      });
    },
  };
}

/**
 * Publishes the affinity wrapper on the stream-decorator seam, for when the TaaS provider
 * plugin owns the provider id; returns the withdraw, which the entry runs when the host
 * disposes this module instance (a reload or a disable).
 */
export function publishAffinityDecorator<Ctx, Fn>(wrap: StreamDecorator<Ctx, Fn>): () => void {
  return publishStreamDecorator(AFFINITY_DECORATOR, wrap);
}

/** Writes queued captures and closes the store (gateway stop; process exit does it too). */
export function shutdownOptimizer(): void {
  shutdown.run();
}
