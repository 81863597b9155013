/**
 * A map that forgets its least recently written entries past `capacity`: what the emulator
 * remembers per id or per conversation stays bounded however long a run goes.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;
  readonly #onEvict: ((key: K, value: V) => void) | undefined;

  /** `onEvict`: told of each entry dropped for capacity (to release what it holds). */
  constructor(capacity: number, onEvict?: (key: K, value: V) => void) {
    this.#capacity = capacity;
    this.#onEvict = onEvict;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size <= this.#capacity) return;
    const oldest = this.#entries.entries().next();
    if (oldest.done) return;
    this.#entries.delete(oldest.value[0]);
    this.#onEvict?.(oldest.value[0], oldest.value[1]);
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Oldest written first. */
  entries(): IterableIterator<[K, V]> {
    return this.#entries.entries();
  }

  clear(): void {
    this.#entries.clear();
  }
}
