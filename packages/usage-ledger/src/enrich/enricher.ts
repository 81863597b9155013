import { noPrices, type PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import type { CallRoute } from "@cloudsigma/taas-core/usage/routed-pricing";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import type { GeometryLookup } from "../cache/geometry.ts";
import { CacheHistory } from "../cache/history.ts";
import type { LedgerRow } from "../store/columns.ts";
import { plateauModel, type StoredPlateau } from "../store/plateaus.ts";
import { LearnedPlateaus } from "./learned-plateaus.ts";
import type { PreviousCallReader } from "./previous-call.ts";
import type { ContextSource, ReadFailures } from "./read-failures.ts";
import type { RouteSource } from "./route-price.ts";
import { type CacheContext, callObservation, enrichRow, isAccountable } from "./row.ts";

export interface RowEnricherOptions {
  /** The prices every row is priced with: the config's, then the gateway's listing. */
  prices?: PriceLookup;
  /** What the optimizer captured per call (none: rows keep the route they came with). */
  routes?: RouteSource;
  /**
   * Cache accounting (none: rows keep the cache columns they came with), with the plateaus an
   * earlier process learned (`store/plateaus.ts`).
   */
  cache?: {
    geometry: GeometryLookup;
    previousCalls: PreviousCallReader;
    storedPlateaus?: () => readonly StoredPlateau[];
  };
  /** Where a failed context read is counted and said once. */
  failures?: Pick<ReadFailures, "report">;
}

/**
 * Reads what the enrich step needs to know about a record (its route capture, its prompt
 * digests, the previous call of its affinity id) and hands it, with the record, to the pure
 * `enrichRow`. Records are enriched in the order the calls were queued, so each call's previous
 * one is the row enriched just before it, remembered here; after a restart it is read from the
 * ledger. So is what each model's calls taught of its plateau. A read that fails is reported and
 * only costs the row what it would have told.
 */
export class RowEnricher {
  readonly #prices: PriceLookup;
  readonly #routes: RouteSource | undefined;
  readonly #geometry: GeometryLookup | undefined;
  readonly #history: CacheHistory;
  readonly #plateaus: LearnedPlateaus;
  readonly #failures: Pick<ReadFailures, "report"> | undefined;

  constructor(options: RowEnricherOptions) {
    this.#prices = options.prices ?? noPrices;
    this.#routes = options.routes;
    this.#geometry = options.cache?.geometry;
    this.#failures = options.failures;
    const previousCalls = options.cache?.previousCalls;
    this.#history = new CacheHistory({
      prefixOf: (callId) => this.#read("route store", (routes) => routes.prefix(callId)),
      storedBefore: (affinityId, ts) =>
        previousCalls && this.#tryRead("ledger", () => previousCalls.before(affinityId, ts)),
    });
    const stored = options.cache?.storedPlateaus;
    this.#plateaus = new LearnedPlateaus(() => (stored && this.#tryRead("ledger", stored)) ?? []);
  }

  enrich(record: LedgerRow): LedgerRow {
    const route = record.callId
      ? this.#read("route store", (routes) => routes.route(record.callId ?? ""))
      : undefined;
    const cache = this.#cacheContext(record, route);
    const row = enrichRow(record, { route, prices: this.#prices, cache });
    const learned = row.cache?.learnedPlateau;
    if (learned !== undefined) this.#plateaus.set(plateauModel(row), learned);
    const affinityId = route?.affinityId;
    if (
      cache &&
      affinityId &&
      isAccountable(row) &&
      (!cache.previous || cache.previous.ts <= row.ts)
    ) {
      this.#history.remember(affinityId, {
        callId: row.callId,
        ...callObservation(row, cache.prefix),
      });
    }
    return row;
  }

  #cacheContext(record: UsageRecord, route: CallRoute | undefined): CacheContext | undefined {
    const geometry = this.#geometry;
    if (!geometry) return undefined;
    const affinityId = route?.affinityId;
    if (!affinityId || !isAccountable(record)) {
      return { geometry, prefix: undefined, previous: undefined };
    }
    return {
      geometry,
      prefix: this.#read("route store", (routes) => routes.prefix(record.callId)),
      previous: this.#history.previous(affinityId, record.callId, record.ts),
      learnedPlateau: (row) => this.#plateaus.get(plateauModel(row)),
    };
  }

  #read<T>(source: "route store", read: (routes: RouteSource) => T | undefined): T | undefined {
    const routes = this.#routes;
    return routes ? this.#tryRead(source, () => read(routes)) : undefined;
  }

  #tryRead<T>(source: ContextSource, read: () => T | undefined): T | undefined {
    try {
      return read();
    } catch (error) {
      this.#failures?.report(source, error);
      return undefined;
    }
  }
}
