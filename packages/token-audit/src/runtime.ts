import { processSlot, shutdownGroup } from "@cloudsigma/taas-core/process-scope";
import type { CallTracker } from "@cloudsigma/taas-core/usage/call-tracker";
import type { PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import { lazyCallTracker, oncePerError } from "@cloudsigma/taas-core/usage/tracker-hooks";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import { type AuditConfig, PLUGIN_ID } from "./config.ts";
import { JsonlLog } from "./jsonl-log.ts";

/*
 * The token audit's process-wide state, and the only file of the plugin that touches it: one
 * JSONL log per file in the process (every module instance the host evaluates appends to the
 * same buffer), each instance's call tracker and its sweep. Shutdown (gateway stop, process
 * exit) drains the trackers first, then flushes the logs.
 */

const logs = processSlot<JsonlLog>(`${PLUGIN_ID}.log`);
const shutdown = shutdownGroup(PLUGIN_ID);

const ORDER = { logs: 100 } as const;

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
  return {
    log,
    tracker: lazyCallTracker({
      emit: (record) => log(options.auditPath()).append(options.auditLine(record)),
      prices: options.prices,
      shutdown,
      taskId: `tracker:${instance}`,
    }),
  };
}

/** Open calls are written and buffered lines flushed (gateway stop; process exit does it too). */
export function shutdownAudit(): void {
  shutdown.run();
}
