import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hostIdentity } from "./affinity-id.ts";
import { gatherRepoHints, RepoHintsCache } from "./repo-hints.ts";
import { call, fakeTransport, TEST_ID_KEY, wrapperHarness } from "./stream-wrapper.test-support.ts";

/** mulberry32: a tiny seeded generator, so a failing case can be replayed from its seed. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const token = (next: () => number, length: number) =>
  Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join("");

const CASES = 10_000;

// One real repository on disk under a secret parent folder, with a secret remote in its config
// and a secret file in its tree: the hints read from it may carry its name and branch only.
const repoParent = mkdtempSync(join(tmpdir(), "S3CR3Tparent"));
const repoRoot = join(repoParent, "repo-x");
const remote = "git@github.com:S3CR3Towner/S3CR3Tproject.git";
const dirtyFile = "S3CR3Tchanged.env";
mkdirSync(join(repoRoot, ".git"), { recursive: true });
writeFileSync(join(repoRoot, ".git", "HEAD"), "ref: refs/heads/main\n");
writeFileSync(join(repoRoot, ".git", "config"), `[remote "origin"]\n\turl = ${remote}\n`);
writeFileSync(join(repoRoot, dirtyFile), "changed\n");
afterAll(() => rmSync(repoParent, { recursive: true, force: true }));

describe("nothing secret leaves the machine (property, 10,000 cases)", () => {
  it("planted secrets in env, paths, host names, git remotes and extra params never reach body or headers", async () => {
    let casesWithRepoHints = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const next = prng(seed);
      const secret = () => `S3CR3T${token(next, 12)}`;
      const apiKey = `sk-live-${secret()}`;
      const envValue = secret();
      const userName = secret();
      const workspaceDir = `/home/${userName}/openclaw-home/workspace-${secret()}`;
      const stateDir = `/srv/${secret()}/state`;
      const host = `${secret()}.corp.internal`;
      const extraParam = secret();
      const env: NodeJS.ProcessEnv = {
        OPENCLAW_SESSION_ID: next() < 0.5 ? envValue : undefined,
        OPENCLAW_AGENT_ID: envValue,
        OPENCLAW_RUN_ID: envValue,
        OPENCLAW_STATE_DIR: stateDir,
        CLOUDSIGMA_API_KEY: apiKey,
        GIT_REMOTE: remote,
      };
      const repoHints = new RepoHintsCache({
        ttlMs: 60_000,
        read: () => gatherRepoHints(repoRoot),
      });
      const { wrap } = wrapperHarness({
        env,
        stateDir,
        hostId: hostIdentity(TEST_ID_KEY, host),
        repoHints,
      });
      const transport = fakeTransport(() => ({
        model: "gpt-5.5",
        messages: [{ role: "user", content: "hello" }],
      }));
      const useWorkspace = next() < 0.8;
      const streamFn = wrap({
        streamFn: transport.streamFn,
        ...(useWorkspace ? { workspaceDir } : {}),
        agentDir: `/home/${userName}/openclaw-home/agents/main/agent`,
        agentId: "main",
        extraParams: { temperature: 0.2, apiKey, internal: extraParam },
      });
      if (useWorkspace) {
        await call(streamFn, { apiKey }); // starts the background repo probe
        await repoHints.settled(workspaceDir);
      }
      await call(streamFn, { apiKey, requestId: `run-${seed}:model:1`, sessionId: secret() });
      const wire = transport.calls.map((c) => `${c.body}\n${JSON.stringify(c.headers)}`).join("\n");
      for (const planted of [
        apiKey,
        envValue,
        userName,
        workspaceDir,
        stateDir,
        host,
        remote,
        repoParent,
        dirtyFile,
        extraParam,
      ]) {
        if (wire.includes(planted))
          throw new Error(`seed ${seed}: "${planted}" reached the wire:\n${wire}`);
      }
      if (wire.includes('"repo_name":"repo-x"') && wire.includes('"git_branch_hint":"main"'))
        casesWithRepoHints++;
    }
    // The hints that may leave did arrive, so the absence checks above are not vacuous.
    expect(casesWithRepoHints).toBeGreaterThan(CASES / 2);
  }, 120_000);
});
