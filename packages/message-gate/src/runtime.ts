import { processSlot } from "@cloudsigma/taas-core/process-scope";
import { GateStore } from "./gate-store.ts";
import { PLUGIN_ID } from "./identity.ts";

/*
 * The gate's process-wide state, and the only file of the plugin that touches it. The host
 * evaluates the plugin module once per surface (agent hooks, gateway methods, CLI), and every
 * instance must decide over the same arms: one ledger connection per file in the process,
 * opened by whichever instance asks first.
 *
 * No settings go with the slot: the store is built from its path alone, while the gate rules
 * (peers, trigger, TTLs) stay with each instance, so a changed config takes effect where it is
 * registered and there is no conflict to report. No shutdown task either: closing the ledger
 * on gateway stop would need a `gateway_stop` hook, and the hooks the plugin registers are
 * part of what it promises (exactly `message_received` and `message_sending`); every decision
 * is committed in its own transaction, so nothing waits for a close.
 */

const stores = processSlot<GateStore>(`${PLUGIN_ID}.store`);
/** Config problems already reported in this process: each instance registers, one line says it. */
const reported = processSlot<true>(`${PLUGIN_ID}.reported`);

/** Logs `message` unless this process already logged it (the host registers once per surface). */
export function reportOnce(message: string, log: (message: string) => void): void {
  reported.obtain(message, () => {
    log(message);
    return true;
  });
}

interface GateRuntime {
  /** The one ledger connection for the configured file, opened on first use. */
  store(): GateStore;
}

export function gateRuntime(options: { dbPath: () => string }): GateRuntime {
  return {
    store() {
      const path = options.dbPath();
      return stores.obtain(path, () => GateStore.open(path));
    },
  };
}
