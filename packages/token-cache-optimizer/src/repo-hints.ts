import type { Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { sanitizeHeaderValue } from "@cloudsigma/taas-core/header-value";

/**
 * What leaves the machine about a repository: its folder name and its branch. Both are read
 * from files (`.git`, `HEAD`) and nothing is ever executed: running `git` in an agent
 * workspace would run whatever that workspace's `.git/config` names (fsmonitor, hooks, filter
 * drivers), and the agent can write that file. A dirty flag cannot be told from files alone
 * without reimplementing git's index and object store, so none is sent.
 */
export interface RepoHints {
  repoName?: string;
  branch?: string;
}

/** Gathers the hints for one folder; injected in tests. */
export type RepoHintsReader = (dir: string) => Promise<RepoHints>;

const MAX_LEVELS = 64;
const MAX_POINTER_BYTES = 4_096;

/** Gathers hints for one folder. Never throws: no repo, or an unreadable one, gives `{}`. */
export const gatherRepoHints: RepoHintsReader = async (dir) => {
  const found = await findRepository(resolve(dir));
  if (!found) return {};
  const hints: RepoHints = {};
  const name = sanitizeHeaderValue(basename(found.root), 64);
  if (name) hints.repoName = name;
  const head = await readSmallFile(join(found.gitDir, "HEAD"));
  const branch = head === undefined ? undefined : branchOf(head);
  if (branch) hints.branch = branch;
  return hints;
};

/** The innermost folder holding `.git` (a folder, or a worktree's `gitdir:` pointer file). */
async function findRepository(
  start: string,
): Promise<{ root: string; gitDir: string } | undefined> {
  let current = start;
  for (let level = 0; level < MAX_LEVELS; level++) {
    const dotGit = join(current, ".git");
    const info = await stat(dotGit).catch((): Stats | undefined => undefined);
    if (info?.isDirectory()) return { root: current, gitDir: dotGit };
    if (info?.isFile()) {
      const pointer = /^gitdir:\s*(.+?)\s*$/m.exec((await readSmallFile(dotGit)) ?? "");
      return pointer?.[1] ? { root: current, gitDir: resolve(current, pointer[1]) } : undefined;
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
  return undefined;
}

/** `ref: refs/heads/<name>` gives the branch; a detached HEAD reads "HEAD", as git says. */
function branchOf(head: string): string | undefined {
  const ref = /^ref:\s*refs\/heads\/(.+?)\s*$/m.exec(head);
  if (ref?.[1]) return sanitizeHeaderValue(ref[1], 64);
  return /^[0-9a-f]{40,64}\s*$/.test(head) ? "HEAD" : undefined;
}

/** A regular file's first bytes (never a FIFO or device that could block the read). */
async function readSmallFile(path: string): Promise<string | undefined> {
  const info = await stat(path).catch((): Stats | undefined => undefined);
  if (!info?.isFile()) return undefined;
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return undefined;
  try {
    const buffer = Buffer.alloc(MAX_POINTER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

interface Entry {
  hints?: RepoHints;
  fetchedAt: number;
  pending?: Promise<void>;
}

/**
 * Repo hints per workspace, gathered in the background: `peek` answers at once from memory
 * (possibly nothing yet) and starts a refresh when the entry is missing or older than the TTL.
 * No request ever waits on the disk.
 */
export class RepoHintsCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #read: RepoHintsReader;
  readonly #now: () => number;
  readonly #onUpdate: ((dir: string, hints: RepoHints) => void) | undefined;

  constructor(options: {
    ttlMs: number;
    read?: RepoHintsReader;
    now?: () => number;
    onUpdate?: (dir: string, hints: RepoHints) => void;
  }) {
    this.#ttlMs = options.ttlMs;
    this.#read = options.read ?? gatherRepoHints;
    this.#now = options.now ?? Date.now;
    this.#onUpdate = options.onUpdate;
  }

  peek(dir: string): RepoHints | undefined {
    const entry = this.#entries.get(dir);
    if (!entry) {
      this.#refresh(dir, { fetchedAt: 0 });
      return undefined;
    }
    if (!entry.pending && this.#now() - entry.fetchedAt >= this.#ttlMs) this.#refresh(dir, entry);
    return entry.hints;
  }

  /** Resolves when the background refresh for `dir`, if any, has finished (for tests and shutdown). */
  async settled(dir: string): Promise<void> {
    await this.#entries.get(dir)?.pending;
  }

  #refresh(dir: string, entry: Entry): void {
    this.#entries.set(dir, entry);
    // setImmediate: even the first file read happens after the caller has returned.
    entry.pending = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#read(dir))
      .catch((): RepoHints => ({}))
      .then((hints) => {
        entry.hints = hints;
        entry.fetchedAt = this.#now();
        entry.pending = undefined;
        this.#onUpdate?.(dir, hints);
      });
  }
}
