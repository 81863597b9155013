import { describe, expect, it } from "vitest";
import { type GitRunner, gatherRepoHints, RepoHintsCache } from "./repo-hints.ts";

const git = (answers: Record<string, string | Error>): GitRunner & { calls: string[] } => {
  const calls: string[] = [];
  const run = async (_cwd: string, args: readonly string[]) => {
    calls.push(args.join(" "));
    const answer = answers[args.join(" ")];
    if (answer === undefined || answer instanceof Error) throw answer ?? new Error("unexpected");
    return answer;
  };
  return Object.assign(run, { calls });
};

describe("gatherRepoHints", () => {
  it("keeps the repo folder name, the branch and whether anything is dirty", async () => {
    const runner = git({
      "rev-parse --show-toplevel": "/home/u/code/my-repo\n",
      "rev-parse --abbrev-ref HEAD": "dev\n",
      "status --porcelain --untracked-files=no": " M secret.txt\n",
    });
    expect(await gatherRepoHints("/w", runner)).toEqual({
      repoName: "my-repo",
      branch: "dev",
      dirty: true,
    });
    expect(runner.calls.some((c) => c.includes("remote"))).toBe(false);
  });

  it("gives nothing outside a repository or without git", async () => {
    expect(
      await gatherRepoHints(
        "/w",
        git({ "rev-parse --show-toplevel": new Error("not a git repository") }),
      ),
    ).toEqual({});
  });

  it("sanitises a hostile branch name", async () => {
    const runner = git({
      "rev-parse --show-toplevel": "/r/x\n",
      "rev-parse --abbrev-ref HEAD": "feat/\u00fc\r\nX: y\n",
      "status --porcelain --untracked-files=no": "",
    });
    expect(await gatherRepoHints("/w", runner)).toEqual({
      repoName: "x",
      branch: "feat/X: y",
      dirty: false,
    });
  });
});

describe("RepoHintsCache", () => {
  it("answers at once, gathers in the background, refreshes after the TTL", async () => {
    let now = 0;
    const runner = git({
      "rev-parse --show-toplevel": "/r/x\n",
      "rev-parse --abbrev-ref HEAD": "main\n",
      "status --porcelain --untracked-files=no": "",
    });
    const cache = new RepoHintsCache({ ttlMs: 1000, git: runner, now: () => now });
    expect(cache.peek("/w")).toBeUndefined();
    expect(runner.calls).toEqual([]); // nothing spawned inside the caller's turn
    await cache.settled("/w");
    expect(cache.peek("/w")).toEqual({ repoName: "x", branch: "main", dirty: false });
    const callsAfterFirst = runner.calls.length;
    now = 999;
    cache.peek("/w");
    await cache.settled("/w");
    expect(runner.calls.length).toBe(callsAfterFirst);
    now = 1000;
    expect(cache.peek("/w")).toEqual({ repoName: "x", branch: "main", dirty: false });
    await cache.settled("/w");
    expect(runner.calls.length).toBe(callsAfterFirst * 2);
  });
});
