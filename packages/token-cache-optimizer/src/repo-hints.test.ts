import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../test-support/temp-dirs.ts";
import { gatherRepoHints, type RepoHints, RepoHintsCache } from "./repo-hints.ts";

const tempDir = useTempDirs("repo-hints");

/** A repository as `git init` lays it out, with HEAD pointing where the test says. */
function repo(name: string, head: string): { root: string; workspace: string } {
  const root = join(tempDir(), name);
  mkdirSync(join(root, ".git", "refs", "heads"), { recursive: true });
  writeFileSync(join(root, ".git", "HEAD"), head);
  const workspace = join(root, "agents", "main");
  mkdirSync(workspace, { recursive: true });
  return { root, workspace };
}

describe("gatherRepoHints", () => {
  it("reads the repository folder's name and the branch from .git, from a nested workspace", async () => {
    const { workspace } = repo("my-repo", "ref: refs/heads/dev\n");
    expect(await gatherRepoHints(workspace)).toEqual({ repoName: "my-repo", branch: "dev" });
  });

  it("says HEAD for a detached checkout, as git does", async () => {
    const { root } = repo("x", `${"a1".repeat(20)}\n`);
    expect(await gatherRepoHints(root)).toEqual({ repoName: "x", branch: "HEAD" });
  });

  it("follows a worktree's gitdir pointer", async () => {
    const main = repo("main-repo", "ref: refs/heads/main\n");
    const gitDir = join(main.root, ".git", "worktrees", "feature");
    mkdirSync(gitDir, { recursive: true });
    writeFileSync(join(gitDir, "HEAD"), "ref: refs/heads/feature/login\n");
    const worktree = join(tempDir(), "feature-wt");
    mkdirSync(worktree);
    writeFileSync(join(worktree, ".git"), `gitdir: ${gitDir}\n`);
    expect(await gatherRepoHints(worktree)).toEqual({
      repoName: "feature-wt",
      branch: "feature/login",
    });
  });

  it("gives nothing outside a repository", async () => {
    expect(await gatherRepoHints(tempDir())).toEqual({});
  });

  it("sanitises a hostile branch name", async () => {
    const { root } = repo("x", "ref: refs/heads/feat/\u00fc\u0007X: y\n");
    expect(await gatherRepoHints(root)).toEqual({ repoName: "x", branch: "feat/X: y" });
  });

  it("never blocks on a HEAD that is not a regular file", async () => {
    const root = join(tempDir(), "fifo-repo");
    mkdirSync(join(root, ".git"), { recursive: true });
    execFileSync("mkfifo", [join(root, ".git", "HEAD")]);
    expect(await gatherRepoHints(root)).toEqual({ repoName: "fifo-repo" });
  });

  it("runs nothing the workspace's .git/config names (fsmonitor, hooks, filters, aliases)", async () => {
    const { root, workspace } = repo("hostile", "ref: refs/heads/main\n");
    const marker = join(tempDir(), "marker");
    const script = join(root, "payload.sh");
    writeFileSync(script, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    mkdirSync(join(root, "hooks"));
    for (const hook of [
      "post-checkout",
      "pre-commit",
      "post-index-change",
      "reference-transaction",
    ])
      writeFileSync(join(root, "hooks", hook), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    writeFileSync(
      join(root, ".git", "config"),
      [
        "[core]",
        `\tfsmonitor = ${script}`,
        `\thooksPath = ${join(root, "hooks")}`,
        '[filter "evil"]',
        `\tclean = ${script}`,
        `\tsmudge = ${script}`,
        "[alias]",
        `\tstatus = !${script}`,
        `\trev-parse = !${script}`,
        "",
      ].join("\n"),
    );
    writeFileSync(join(root, ".gitattributes"), "* filter=evil\n");
    const cache = new RepoHintsCache({ ttlMs: 60_000 });
    cache.peek(workspace);
    await cache.settled(workspace);
    expect(cache.peek(workspace)).toEqual({ repoName: "hostile", branch: "main" });
    expect(existsSync(marker)).toBe(false);
  });
});

describe("RepoHintsCache", () => {
  it("answers at once, gathers in the background, refreshes after the TTL", async () => {
    let now = 0;
    const reads: string[] = [];
    const read = async (dir: string): Promise<RepoHints> => {
      reads.push(dir);
      return { repoName: "x", branch: "main" };
    };
    const cache = new RepoHintsCache({ ttlMs: 1000, read, now: () => now });
    expect(cache.peek("/w")).toBeUndefined();
    expect(reads).toEqual([]); // nothing read inside the caller's turn
    await cache.settled("/w");
    expect(cache.peek("/w")).toEqual({ repoName: "x", branch: "main" });
    expect(reads).toEqual(["/w"]);
    now = 999;
    cache.peek("/w");
    await cache.settled("/w");
    expect(reads).toHaveLength(1);
    now = 1000;
    expect(cache.peek("/w")).toEqual({ repoName: "x", branch: "main" });
    await cache.settled("/w");
    expect(reads).toHaveLength(2);
  });
});
