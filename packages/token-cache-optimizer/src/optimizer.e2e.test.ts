import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RouteCaptureJson } from "@cloudsigma/taas-core/contracts/route-store";
import { shortHash } from "@cloudsigma/taas-core/hash";
import type { RecordedRequest, RunningEmulator } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentTurn,
  createStateDir,
  gatewayCall,
  type Host,
  inspectPlugin,
  providerModels,
  REPO_ROOT,
  runAgentTurn,
  runOpenClaw,
  startHost,
  tearDownHost,
  writeHostConfig,
} from "../../../e2e/harness/index.ts";
import { workspaceIdentity } from "./affinity-id.ts";
import { installKeyPath } from "./install-key.ts";

const PLUGIN = {
  id: "openclaw-taas-affinity",
  path: join(REPO_ROOT, "packages", "token-cache-optimizer"),
  config: { debug: true },
};

interface LastRouteAnswer {
  found: boolean;
  /** The capture with its published names (the affinity id is `sessionId`). */
  route?: RouteCaptureJson;
}

const chats = (emulator: RunningEmulator): RecordedRequest[] =>
  emulator.requests().filter((r) => r.path === "/v1/chat/completions");
const metadataOf = (request: RecordedRequest | undefined) =>
  ((request?.body as { metadata?: Record<string, unknown> } | null)?.metadata ?? undefined) as
    | Record<string, unknown>
    | undefined;

describe("openclaw-taas-affinity in the real host", () => {
  let host: Host;
  let workspaces: { main: string; second: string; other: string };
  const mainTurns: Array<{ turn: AgentTurn; request: RecordedRequest | undefined }> = [];
  let marker: string;
  // The install's id key, as the gateway created it in the state dir.
  const installKey = () => readFileSync(installKeyPath(host.state.dir), "utf8").trim();
  const idOf = (workspace: string) => workspaceIdentity(installKey(), workspace).id;

  const turn = async (agent: string, message: string) => {
    const before = chats(host.emulator).length;
    const result = await runAgentTurn(host.state, { agent, message });
    return { turn: result, request: chats(host.emulator).slice(before).at(-1) };
  };

  beforeAll(async () => {
    host = await startHost({
      name: "optimizer",
      emulator: { replicas: 4 },
      config: async ({ state, emulator }) => {
        // The agents' workspaces exist before the gateway starts, as an operator's would.
        workspaces = {
          main: join(state.dir, "ws-main"),
          second: join(state.dir, "ws-second"),
          other: join(state.dir, "ws-other"),
        };
        await Promise.all(Object.values(workspaces).map((dir) => mkdir(dir, { recursive: true })));
        // The second agent's workspace is a repository whose .git/config a hostile model wrote:
        // every command it names would create the marker if anything ran git there.
        marker = join(state.dir, "git-config-ran");
        const payload = join(state.dir, "payload.sh");
        await writeFile(payload, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
        await mkdir(join(workspaces.second, ".git", "hooks"), { recursive: true });
        await writeFile(join(workspaces.second, ".git", "HEAD"), "ref: refs/heads/main\n");
        await writeFile(
          join(workspaces.second, ".git", "config"),
          `[core]\n\tfsmonitor = ${payload}\n\thooksPath = ${join(workspaces.second, ".git", "hooks")}\n[filter "evil"]\n\tclean = ${payload}\n\tsmudge = ${payload}\n[alias]\n\tstatus = !${payload}\n`,
        );
        await writeFile(join(workspaces.second, ".gitattributes"), "* filter=evil\n");
        return {
          // No supportsPromptCacheKey: routing must come from the plugin's affinity id alone.
          models: providerModels(),
          extraProviders: {
            othergw: {
              baseUrl: emulator.url,
              api: "openai-completions",
              apiKey: "taas-emulator-key",
              models: [{ id: "gpt-5.5", name: "gpt-5.5", input: ["text"] }],
            },
          },
          agents: [
            { id: "main", workspace: workspaces.main },
            { id: "second", workspace: workspaces.second },
            { id: "other", workspace: workspaces.other, model: "othergw/gpt-5.5" },
          ],
          plugins: [PLUGIN],
        };
      },
      gateway: { token: "optimizer-token" },
    });
  });

  afterAll(() => tearDownHost(host));

  it("registers its provider hook and gateway method with no diagnostics", async () => {
    const inspect = await inspectPlugin(host.state, PLUGIN.id);
    expect(inspect.plugin.status).toBe("loaded");
    expect(inspect.plugin.providerIds).toEqual([PLUGIN.id]);
    expect(inspect.gatewayMethods).toEqual([
      "taas.autorouter.lastRoute",
      "taas.autorouter.setAlgorithm",
    ]);
    expect(inspect.diagnostics).toEqual([]);
  });

  it("sends one affinity id in body and headers on every turn, all turns on one replica, cached from turn 2", async () => {
    for (const message of ["first turn", "second turn", "third turn"])
      mainTurns.push(await turn("main", message));
    const expectedId = idOf(workspaces.main);
    // Keyed: the id is not the plain hash of the workspace path, which a dictionary reverses.
    expect(statSync(installKeyPath(host.state.dir)).mode & 0o777).toBe(0o600);
    expect(expectedId).not.toBe(`oc:${shortHash(`workspace:${workspaces.main}`)}`);
    for (const { turn: t, request } of mainTurns) {
      const metadata = metadataOf(request);
      expect(metadata?.session_id).toBe(expectedId);
      expect(metadata?.sticky_key).toBe(expectedId);
      expect(metadata?.requester_runtime).toMatchObject({
        schema_version: "2026-06-04",
        session_key: expectedId,
        provider: "cloudsigma",
        model_id: "cloudsigma/gpt-5.5",
      });
      expect(metadata?.openclaw_correlation).toMatchObject({
        schema_version: "2026-06-05",
        session_id: expectedId,
        agent_id: "main",
        plugin_version: "0.6.0",
      });
      expect(request?.headers).toMatchObject({
        "x-session-id": expectedId,
        "x-openclaw-session-id": expectedId,
        "x-openclaw-turn-id": t.runId,
        "x-openclaw-attempt": "1",
        "x-openclaw-agent-id": "main",
        "x-openclaw-plugin-version": "0.6.0",
      });
      expect(request?.routingSource).toBe("metadata.session_id");
      // The host's own prompt names the workspace; what this plugin adds never does.
      expect(JSON.stringify(metadata)).not.toContain(workspaces.main);
      expect(JSON.stringify(request?.headers)).not.toContain(workspaces.main);
    }
    // config debug: true (same switch as OPENCLAW_DEBUG=1) logs the source, the id and each capture.
    expect(host.gateway?.output()).toContain(
      `[openclaw-taas-affinity] debug: session source=workspace id=${expectedId}`,
    );
    expect(host.gateway?.output()).toMatch(
      /\[openclaw-taas-affinity\] debug: captured route status=200 upstream=replica-\d/,
    );
    expect(new Set(mainTurns.map((m) => m.request?.replica)).size).toBe(1);
    expect(mainTurns[0]?.request?.cachedTokens).toBe(0);
    for (const later of mainTurns.slice(1)) {
      expect(later.request?.cachedTokens ?? 0).toBeGreaterThan(0);
      expect(later.turn.usage?.cacheRead).toBe(later.request?.cachedTokens);
    }
  });

  it("gives a second agent another id, and leaves a non-TaaS provider untouched", async () => {
    await turn("second", "hello from the second agent");
    // By the second turn the repo hints, read from the files in the background, have arrived.
    const second = await turn("second", "and again");
    expect(metadataOf(second.request)?.session_id).toBe(idOf(workspaces.second));
    expect(idOf(workspaces.second)).not.toBe(idOf(workspaces.main));
    expect(metadataOf(second.request)?.requester_runtime).toMatchObject({
      repo_name: "ws-second",
      git_branch_hint: "main",
    });
    expect(existsSync(marker)).toBe(false);
    expect(second.request?.headers["x-openclaw-agent-id"]).toBe("second");

    const other = await turn("other", "hello through another gateway");
    expect(other.request?.model).toBe("gpt-5.5");
    expect(metadataOf(other.request)).toBeUndefined();
    expect(
      Object.keys(other.request?.headers ?? {}).filter(
        (name) => name.startsWith("x-openclaw") || name === "x-session-id",
      ),
    ).toEqual([]);
  });

  it("answers taas.autorouter.lastRoute by agent, session and workspace with the last capture", async () => {
    const last = mainTurns.at(-1)?.request;
    const sessionId = idOf(workspaces.main);
    for (const params of [{ agentId: "main" }, { sessionId }, { workspaceDir: workspaces.main }]) {
      const { json } = await gatewayCall<LastRouteAnswer>(
        host.state,
        "taas.autorouter.lastRoute",
        params,
      );
      expect(json.found).toBe(true);
      expect(json.route).toMatchObject({
        sessionId,
        agentId: "main",
        requestId: last?.requestId,
        upstream: last?.replica ?? "",
        status: 200,
      });
    }
    const none = await gatewayCall<LastRouteAnswer & { message: string }>(
      host.state,
      "taas.autorouter.lastRoute",
      { agentId: "nobody" },
    );
    expect(none.json).toMatchObject({
      found: false,
      message: expect.stringContaining("No TaaS route captured yet"),
    });
    const bad = await gatewayCall<{ ok: boolean; error: { code: string; message: string } }>(
      host.state,
      "taas.autorouter.lastRoute",
      { session: "x" },
    );
    expect(bad.result.code).not.toBe(0);
    expect(bad.json.error.message).toMatch(/expects exactly one of/);
  });

  it("keeps the id and the last route across a gateway restart", async () => {
    const keyBefore = installKey();
    await host.gateway?.stop();
    await host.startGateway();
    const before = mainTurns.at(-1)?.request;
    const { json } = await gatewayCall<LastRouteAnswer>(host.state, "taas.autorouter.lastRoute", {
      agentId: "main",
    });
    expect(json.route?.requestId).toBe(before?.requestId);
    const after = await turn("main", "after the restart");
    expect(installKey()).toBe(keyBefore);
    expect(metadataOf(after.request)?.session_id).toBe(idOf(workspaces.main));
    expect(after.request?.replica).toBe(before?.replica);
    expect(after.request?.cachedTokens ?? 0).toBeGreaterThan(0);
  });
});

describe("a bad config", () => {
  it("is refused by the host with a message naming the key", async () => {
    const state = await createStateDir("optimizer-bad-config");
    try {
      await writeHostConfig(state, {
        baseUrl: "http://127.0.0.1:9/v1",
        models: providerModels(),
        plugins: [{ ...PLUGIN, config: { affinityScope: "global" } }],
      });
      const result = await runOpenClaw(state, [
        "plugins",
        "inspect",
        PLUGIN.id,
        "--runtime",
        "--json",
      ]);
      expect(`${result.stdout}\n${result.stderr}`).toMatch(/affinityScope/);
    } finally {
      await state.remove();
    }
  });
});

describe("the same turns without the plugin", () => {
  it("go to random replicas, keyless, and read the cache only where an earlier turn warmed it", async () => {
    // The same host as above (plugin listed, so the same plugins.allow), with the plugin off.
    const host = await startHost({
      name: "no-optimizer",
      emulator: { replicas: 4 },
      config: { plugins: [{ ...PLUGIN, enabled: false }] },
    });
    try {
      for (const message of ["first turn", "second turn", "third turn"])
        await runAgentTurn(host.state, { message, local: true });
      const requests = chats(host.emulator);
      expect(requests).toHaveLength(3);
      expect(
        requests.every((r) => r.routingSource === "random" && metadataOf(r) === undefined),
      ).toBe(true);
      // Without a key the emulator picks a seeded random replica, as a fleet without affinity
      // would: a turn on a replica no earlier turn used finds nothing in its cache.
      requests.forEach((request, index) => {
        const warmed = requests.slice(0, index).some((r) => r.replica === request.replica);
        if (!warmed) expect(request.cachedTokens).toBe(0);
      });
      // The emulator's ground truth: whatever the cache missed of what the conversation had sent
      // was on another replica (nothing expires or is evicted in a minute on 4 replicas).
      expect(requests[0]?.cacheCause).toBe("cold");
      for (const request of requests.slice(1)) {
        const ideal = request.idealCachedTokens ?? 0;
        expect(ideal).toBeGreaterThan(0);
        const missed = (request.cachedTokens ?? 0) < ideal;
        if (missed) expect(request.cacheCause).toBe("other_replica");
        // When nothing was missed the host's own prompt still differs from the last turn's: it
        // drops the runtime-context message it appended after the previous user message. Whether
        // that costs a cache step depends on token counts (paths and times vary per run), so the
        // truth is either none or a divergence in the history, never in the tools or system.
        else
          expect(`${request.cacheCause}:${request.cacheCauseAt}`).toMatch(
            /^none:null$|^diverged:history:\d+$/,
          );
      }
    } finally {
      await tearDownHost(host);
    }
  });
});
