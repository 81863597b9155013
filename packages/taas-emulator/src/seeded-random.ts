/**
 * Mulberry32: a 32-bit-state PRNG, tiny and fast, good enough to spread keyless requests over
 * replicas. Deterministic so a test or a demo replays the same routing for the same seed.
 */
export class SeededRandom {
  readonly #seed: number;
  #state: number;

  constructor(seed: number) {
    this.#seed = seed >>> 0;
    this.#state = this.#seed;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** Uniform integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** Back to the seed: the same picks again, in the same order. */
  reset(): void {
    this.#state = this.#seed;
  }
}
