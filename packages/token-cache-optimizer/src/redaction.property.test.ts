import { describe, expect, it } from "vitest";
import { hostIdentity } from "./affinity-id.ts";
import { RepoHintsCache } from "./repo-hints.ts";
import { call, fakeTransport, wrapperHarness } from "./stream-wrapper.test-support.ts";

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
      const remote = `git@github.com:${secret()}/${secret()}.git`;
      const dirtyFile = `${secret()}.env`;
      const extraParam = secret();
      const env: NodeJS.ProcessEnv = {
        OPENCLAW_SESSION_ID: next() < 0.5 ? envValue : undefined,
        OPENCLAW_AGENT_ID: envValue,
        OPENCLAW_RUN_ID: envValue,
        OPENCLAW_STATE_DIR: stateDir,
        CLOUDSIGMA_API_KEY: apiKey,
        GIT_REMOTE: remote,
      };
      // git answers with the repo root under a secret parent, a secret dirty listing, and the
      // remote for anything else it is asked: none of those may be forwarded.
      const repoHints = new RepoHintsCache({
        ttlMs: 60_000,
        git: async (_cwd, args) => {
          if (args.join(" ") === "rev-parse --show-toplevel")
            return `/home/${userName}/code/repo-x\n`;
          if (args.join(" ") === "rev-parse --abbrev-ref HEAD") return "main\n";
          if (args[0] === "status") return ` M ${dirtyFile}\n`;
          return `${remote}\n`;
        },
      });
      const { wrap } = wrapperHarness({ env, stateDir, hostId: hostIdentity(host), repoHints });
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
        dirtyFile,
        extraParam,
      ]) {
        if (wire.includes(planted))
          throw new Error(`seed ${seed}: "${planted}" reached the wire:\n${wire}`);
      }
      if (wire.includes('"repo_name":"repo-x"') && wire.includes('"git_dirty_hint":true'))
        casesWithRepoHints++;
    }
    // The hints that may leave did arrive, so the absence checks above are not vacuous.
    expect(casesWithRepoHints).toBeGreaterThan(CASES / 2);
  }, 120_000);
});
