import { MAX_PLATEAUS, type StoredPlateau } from "../store/plateaus.ts";

/**
 * The plateau learned per model (`cache/plateau.ts`), in memory for the enrich step: read once
 * from the ledger file when first asked (what earlier processes learned), then kept up to date
 * by the calls as they are accounted. At most `MAX_PLATEAUS` models, the least recently learned
 * or asked forgotten first, as the file keeps them.
 */
export class LearnedPlateaus {
  readonly #byModel = new Map<string, number>();
  #load: (() => readonly StoredPlateau[]) | undefined;

  /** `load` gives the stored plateaus, most recently learned first (none when it cannot). */
  constructor(load?: () => readonly StoredPlateau[]) {
    this.#load = load;
  }

  get(at: { provider: string; model: string }): number | undefined {
    this.#loadOnce();
    const key = keyOf(at);
    const tokens = this.#byModel.get(key);
    if (tokens !== undefined) this.#touch(key, tokens);
    return tokens;
  }

  /** The model's plateau after a call; null: forgotten (a read past it showed there is none). */
  set(at: { provider: string; model: string }, tokens: number | null): void {
    this.#loadOnce();
    const key = keyOf(at);
    this.#byModel.delete(key);
    if (tokens !== null) this.#touch(key, tokens);
  }

  #touch(key: string, tokens: number): void {
    this.#byModel.delete(key);
    this.#byModel.set(key, tokens);
    if (this.#byModel.size > MAX_PLATEAUS) {
      const oldest = this.#byModel.keys().next();
      if (!oldest.done) this.#byModel.delete(oldest.value);
    }
  }

  #loadOnce(): void {
    const load = this.#load;
    if (!load) return;
    this.#load = undefined;
    // Oldest first, so the most recently learned are the last forgotten.
    for (const stored of [...load()].reverse()) this.#touch(keyOf(stored), stored.tokens);
  }
}

const keyOf = (at: { provider: string; model: string }): string =>
  `${at.provider}\u0000${at.model}`;
