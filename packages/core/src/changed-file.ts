import { readFileSync, statSync } from "node:fs";

/**
 * A small file another process replaces now and then (a seam's JSON under the state dir), as
 * its reader sees it: looked at no more than once per `checkEveryMs`, parsed again only when
 * its inode, size or modification time changed. A missing or unreadable file is `empty()`.
 * Synchronous, for readers off the request path (the ledger's batch timer, a CLI command).
 */
export class ChangedFile<T> {
  readonly path: string;
  #value: T;
  #stamp = "";
  #checkedAt = Number.NEGATIVE_INFINITY;
  readonly #parse: (text: string) => T;
  readonly #empty: () => T;
  readonly #checkEveryMs: number;
  readonly #now: () => number;

  constructor(
    path: string,
    parse: (text: string) => T,
    empty: () => T,
    options: { checkEveryMs?: number; now?: () => number } = {},
  ) {
    this.path = path;
    this.#parse = parse;
    this.#empty = empty;
    this.#value = empty();
    this.#checkEveryMs = options.checkEveryMs ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  /** The file's content as last parsed, after looking again if it is time to. */
  current(): T {
    const now = this.#now();
    if (now - this.#checkedAt < this.#checkEveryMs) return this.#value;
    this.#checkedAt = now;
    let stamp = "";
    try {
      const stat = statSync(this.path);
      stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      if (stamp !== this.#stamp) this.#value = this.#parse(readFileSync(this.path, "utf8"));
    } catch {
      this.#value = this.#empty(); // not written yet, or unreadable: nothing from it
    }
    this.#stamp = stamp;
    return this.#value;
  }
}
