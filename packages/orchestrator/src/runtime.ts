import { processSlot } from "@cloudsigma/taas-core/process-scope";
import { PLUGIN_ID } from "./identity.ts";
import { TrackingStore } from "./tracking-store.ts";

/*
 * The orchestrator's process-wide state, and the only file of the plugin that touches it. The
 * host evaluates the plugin module once per surface (agent hooks, gateway methods, CLI), and a
 * spawn seen by one instance must be found by the others: one tracking database connection per
 * file in the process, opened (and pruned) by whichever instance asks first.
 *
 * No settings go with the slot: the store is built from its path alone, while the policy and
 * retry settings stay with each instance, so a changed config takes effect where it is
 * registered and there is no conflict to report. No shutdown task either: closing the database
 * on gateway stop would need a `gateway_stop` hook, and the six hooks the plugin registers are
 * part of what it promises; every change is committed as it is made, so nothing waits for a
 * close.
 */

const stores = processSlot<{ store: TrackingStore; prunedAt: number }>(`${PLUGIN_ID}.store`);
/** Expired state is dropped when the file is opened and then at most this often. */
const PRUNE_EVERY_MS = 3_600_000;

interface OrchestratorRuntime {
  /** The one tracking store for the state file, opened and pruned on first use, then hourly. */
  store(): TrackingStore;
}

export function orchestratorRuntime(options: {
  dbPath: () => string;
  /** The clock pruning measures age by. */
  now: () => number;
  /** How long budgets, tracked sessions and notes live after their last update. */
  stateTtlMs: number;
}): OrchestratorRuntime {
  return {
    store() {
      const path = options.dbPath();
      const now = options.now();
      const entry = stores.obtain(path, () => ({
        store: TrackingStore.open(path),
        prunedAt: Number.NEGATIVE_INFINITY,
      }));
      if (now - entry.prunedAt >= PRUNE_EVERY_MS) {
        // Marked first: a prune that fails (the file busy) is retried an hour later, not on
        // every hook.
        entry.prunedAt = now;
        entry.store.prune(now, options.stateTtlMs);
      }
      return entry.store;
    },
  };
}
