import { errorText } from "@cloudsigma/taas-core/error-text";
import { sqliteFailure } from "@cloudsigma/taas-core/sqlite";

/** What the enrich step reads besides the record, named in its log line. */
export type ContextSource = "route store" | "ledger";

const LOST: Record<ContextSource, string> = {
  "route store":
    "calls are recorded without their upstream, routed model and cache cause (an autorouted call's cost reads unknown)",
  ledger: "calls after a restart are accounted without the conversation's previous call",
};

/**
 * Failures of the enrich step's context reads (the optimizer's route store unreadable, locked
 * or corrupt; the ledger's own read connection), counted per source and kind and logged once
 * each per process, so a cause that reads `unknown` for every call has a line saying why,
 * without a line per call. The row is written either way.
 */
export class ReadFailures {
  readonly #warn: (message: string) => void;
  readonly #counts = new Map<string, number>();

  constructor(warn: (message: string) => void) {
    this.#warn = warn;
  }

  report(source: ContextSource, error: unknown): void {
    const kind = sqliteFailure(error);
    const key = `${source}: ${kind}`;
    const seen = this.#counts.get(key) ?? 0;
    this.#counts.set(key, seen + 1);
    if (seen > 0) return;
    this.#warn(
      `${source} read failed (${kind}: ${errorText(error)}); ${LOST[source]} while it fails. Logged once per kind; the rows are written`,
    );
  }

  /** Failures so far, by `source: kind`. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}
