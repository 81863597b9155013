import { BoundedMap } from "@cloudsigma/taas-core/bounded-map";

/** TaaS keeps a session's binding 7 days (third-party report of the optimizer's README; approximate). */
export const BINDING_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** The emulator's bound on remembered ids; TaaS's (a Redis key per id) is not documented. */
const REMEMBERED_IDS = 100_000;

interface Binding {
  index: number;
  lastUsed: number;
}

/**
 * The replica each affinity id is bound to (TaaS stores it as `anth:session:<id>`). Whether an id
 * is known also decides TaaS's `match_reason`: `external_id_new` on first sight, `external_id` after.
 */
export class AffinityBindings {
  readonly #bindings = new BoundedMap<string, Binding>(REMEMBERED_IDS);

  /** The bound replica, or null when the id is new or its binding lapsed. */
  lookup(key: string, now: number): number | null {
    const binding = this.#bindings.get(key);
    if (binding === undefined) return null;
    if (now - binding.lastUsed < BINDING_TTL_MS) return binding.index;
    this.#bindings.delete(key);
    return null;
  }

  bind(key: string, index: number, now: number): void {
    this.#bindings.set(key, { index, lastUsed: now });
  }

  clear(): void {
    this.#bindings.clear();
  }
}
