import { execFile } from "node:child_process";
import { basename } from "node:path";
import { sanitizeHeaderValue } from "./header-value.ts";

/** What leaves the machine about a repository: its folder name, a branch, a dirty flag. */
export interface RepoHints {
  repoName?: string;
  branch?: string;
  dirty?: boolean;
}

/** Runs git with a timeout; resolves stdout, rejects on any failure. Injected in tests. */
export type GitRunner = (cwd: string, args: readonly string[]) => Promise<string>;

export const runGit: GitRunner = (cwd, args) =>
  new Promise((resolve, reject) => {
    execFile(
      "git",
      ["-C", cwd, ...args],
      {
        timeout: 2_000,
        maxBuffer: 64 * 1024,
        windowsHide: true,
        env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" },
      },
      (error, stdout) => (error ? reject(error) : resolve(String(stdout))),
    );
  });

/** Gathers hints for one folder. Never throws: no repo, no git, or a timeout give `{}`. */
export async function gatherRepoHints(dir: string, git: GitRunner = runGit): Promise<RepoHints> {
  let root: string;
  try {
    root = (await git(dir, ["rev-parse", "--show-toplevel"])).trim();
  } catch {
    return {};
  }
  const hints: RepoHints = {};
  const name = sanitizeHeaderValue(basename(root), 64);
  if (name) hints.repoName = name;
  const [branch, status] = await Promise.allSettled([
    git(dir, ["rev-parse", "--abbrev-ref", "HEAD"]),
    // Only whether anything changed is kept; the listing itself never leaves this function.
    git(dir, ["status", "--porcelain", "--untracked-files=no"]),
  ]);
  if (branch.status === "fulfilled") {
    const value = sanitizeHeaderValue(branch.value.trim(), 64);
    if (value) hints.branch = value;
  }
  if (status.status === "fulfilled") hints.dirty = status.value.trim().length > 0;
  return hints;
}

interface Entry {
  hints?: RepoHints;
  fetchedAt: number;
  pending?: Promise<void>;
}

/**
 * Repo hints per workspace, gathered in the background: `peek` answers at once from memory
 * (possibly nothing yet) and starts a refresh when the entry is missing or older than the TTL.
 * No request ever waits on git or the disk.
 */
export class RepoHintsCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #git: GitRunner;
  readonly #now: () => number;
  readonly #onUpdate: ((dir: string, hints: RepoHints) => void) | undefined;

  constructor(options: {
    ttlMs: number;
    git?: GitRunner;
    now?: () => number;
    onUpdate?: (dir: string, hints: RepoHints) => void;
  }) {
    this.#ttlMs = options.ttlMs;
    this.#git = options.git ?? runGit;
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
    // setImmediate: even spawning git happens after the caller has returned.
    entry.pending = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => gatherRepoHints(dir, this.#git))
      .catch((): RepoHints => ({}))
      .then((hints) => {
        entry.hints = hints;
        entry.fetchedAt = this.#now();
        entry.pending = undefined;
        this.#onUpdate?.(dir, hints);
      });
  }
}
