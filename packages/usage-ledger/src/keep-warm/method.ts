import { errorText } from "@cloudsigma/taas-core/error-text";
import { quoted } from "@cloudsigma/taas-core/quoted";
import { isRecord } from "@cloudsigma/taas-core/records";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { KEEP_WARM_METHOD } from "./advice-types.ts";
import { advisorQuery } from "./command.ts";
import { type AdvisorLookups, readKeepWarm } from "./read.ts";

type GatewayHandler = Parameters<OpenClawPluginApi["registerGatewayMethod"]>[1];

export interface KeepWarmMethodDeps {
  dbPath: () => string;
  lookups: () => AdvisorLookups;
  /** Writes rows this process still holds in memory, so the advice includes the latest calls. */
  flush: () => void;
}

const PARAMS = ["since", "until", "agent"];

/**
 * `usage-ledger.keepWarm` with params { since?, until?, agent? } (the CLI's flags): answers
 * the same JSON as `openclaw usage-ledger advise --json`. An unknown param is refused by name.
 */
export function createKeepWarmHandler(deps: KeepWarmMethodDeps): GatewayHandler {
  return function usageLedgerKeepWarm({ params, respond }) {
    let query: ReturnType<typeof advisorQuery>;
    try {
      const given = params ?? {};
      if (!isRecord(given))
        throw new Error(`${KEEP_WARM_METHOD} expects params {since?, until?, agent?}`);
      const unknown = Object.keys(given).filter((name) => !PARAMS.includes(name));
      if (unknown.length > 0)
        throw new Error(`${KEEP_WARM_METHOD}: unknown param(s): ${quoted(unknown.join(", "))}`);
      query = advisorQuery(given);
    } catch (error) {
      respond(false, undefined, { code: "INVALID_REQUEST", message: errorText(error) });
      return;
    }
    try {
      deps.flush();
      respond(true, readKeepWarm(deps.dbPath(), query, deps.lookups()));
    } catch (error) {
      respond(false, undefined, {
        code: "UNAVAILABLE",
        message: `usage ledger unreadable: ${errorText(error)}`,
      });
    }
  };
}
