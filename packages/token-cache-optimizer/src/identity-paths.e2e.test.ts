import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_API_KEY, type RecordedRequest } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Host,
  parseJsonOutput,
  REPO_ROOT,
  runAgentTurn,
  runOpenClaw,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../e2e/harness/index.ts";
import providerPkg from "../../taas-provider/package.json" with { type: "json" };
import optimizerPkg from "../package.json" with { type: "json" };
import { workspaceIdentity } from "./affinity-id.ts";
import { installKeyPath } from "./install-key.ts";

// A day of mixed traffic through every model-call path the host runs, against the emulator in
// TaaS's documented profile: an affinity id is honoured only together with an agent id, else the
// call is a new session with fallback_reason=missing_agent_and_session. The TaaS provider plugin
// owns `cloudsigma` and applies the optimizer through the stream-decorator seam.
//
// What OpenClaw 2026.9.6 hands the provider hooks per path (read in node_modules/openclaw/dist):
// - agent turns, tool follow-ups, subagents and their announce run, cron runs, heartbeats and
//   `infer model run --gateway` (an agent run with modelRun) go through the embedded runner,
//   which calls wrapStreamFn with the session's agent id and workspace;
// - compaction, manual (`sessions compact`) or automatic, prepares its model in
//   `compact-*.mjs` (prepareCompactionSessionAgent) with the same agent id and workspace;
// - standalone completions (`infer model run --local`, isolated completions such as labels,
//   side questions and TTS summaries) skip wrapStreamFn: the host calls
//   wrapSimpleCompletionStreamFn with no agent, workspace or session id. For `infer model run
//   --local` the CLI process loads only the plugin that owns `cloudsigma`, so the optimizer is
//   absent and the provider sends its own identity: one session id per process and the
//   config's owner agent (here none is named: the host's default id, `main`).
// Not exercised here:
// - automatic compaction: it runs the same compaction preparation as `sessions compact`. Tried
//   by hand against the emulator with a small context window, the summary call of a compaction
//   after an overflow carried the agent and the workspace id, but whether the host compacted
//   and retried after the emulator's context_length_exceeded depended on the transcript's
//   shape, so it is no reliable test step;
// - `openclaw agent --local`: the host refuses it while a gateway runs for the state dir; it
//   runs the same embedded runner as the gateway's turns;
// - isolated completions (conversation labels, progress narration, TTS summaries): channel and
//   voice features no offline command reaches; they take the standalone path that
//   `infer model run --local` takes. In the gateway the optimizer has published its decorator,
//   so the provider applies it to them as to any call (unit tests: the provider's
//   native-identity.test.ts, the optimizer's register.test.ts and
//   stream-wrapper.identity.test.ts); that is not seen in the host here.

const OPTIMIZER = "openclaw-taas-affinity";
const WAKE_TEXT = "Identity-paths wake-up.";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const chats = (host: Host): RecordedRequest[] =>
  host.emulator.requests().filter((r) => r.path === "/v1/chat/completions");
const bodyText = (request: RecordedRequest) => JSON.stringify(request.body ?? "");
const hasToolResult = (request: RecordedRequest) =>
  ((request.body as { messages?: Array<{ role: string }> } | null)?.messages ?? []).some(
    (message) => message.role === "tool",
  );
const callTool = (id: string, args: Record<string, unknown>) =>
  `[[tool:tool_call ${JSON.stringify({ id, args })}]]`;

describe("every model call of a mixed day carries a trusted identity", () => {
  let host: Host;
  let workspaces: { main: string; second: string };
  const paths = new Map<string, RecordedRequest[]>();
  const installKey = () => readFileSync(installKeyPath(host.state.dir), "utf8").trim();
  const idOf = (workspace: string) => workspaceIdentity(installKey(), workspace).id;

  /** Runs one path and files the chat requests it made under its name. */
  const path = async (name: string, run: () => Promise<unknown>, settled = 1) => {
    const before = chats(host).at(-1)?.seq ?? 0;
    await run();
    // Subagents, their announce run and heartbeats finish after the command that started them.
    const made = await waitFor(
      `${settled} model call(s) of ${name}`,
      () => {
        const since = chats(host).filter((r) => r.seq > before);
        return since.length >= settled ? since : undefined;
      },
      { timeoutMs: 90_000, logs: host.state.logs },
    );
    paths.set(name, made);
  };
  const cli = async (args: string[], env?: Record<string, string>) => {
    const result = await runOpenClaw(host.state, args, { env, timeoutMs: 180_000 });
    return parseJsonOutput<Record<string, unknown>>(result, `openclaw ${args.join(" ")}`);
  };

  beforeAll(async () => {
    host = await startHost({
      name: "identity-paths",
      emulator: { profile: "documented" },
      config: async ({ state, emulator }) => {
        workspaces = { main: join(state.dir, "ws-main"), second: join(state.dir, "ws-second") };
        await Promise.all(Object.values(workspaces).map((dir) => mkdir(dir, { recursive: true })));
        return {
          configureProvider: false,
          plugins: [
            {
              id: "cloudsigma",
              path: join(REPO_ROOT, "packages", "taas-provider"),
              config: { baseUrl: emulator.url, discovery: false },
            },
            { id: OPTIMIZER, path: join(REPO_ROOT, "packages", "token-cache-optimizer") },
          ],
          extra: {
            agents: {
              defaults: { model: { primary: "cloudsigma/gpt-5.5" } },
              entries: {
                main: { workspace: workspaces.main },
                second: { workspace: workspaces.second },
              },
            },
          },
        };
      },
      gateway: { token: "identity-token", env: { CLOUDSIGMA_API_KEY: DEFAULT_API_KEY } },
    });
  });

  afterAll(() => tearDownHost(host));

  it("runs the day: turns, a tool follow-up, a subagent, cron, heartbeat, compaction, infer", async () => {
    await path(
      "turn with a tool follow-up (main)",
      () =>
        runAgentTurn(host.state, {
          agent: "main",
          message: 'Look something up [[tool:tool_search {"query":"time"}]]',
        }),
      2,
    );
    await path("turn (second)", () =>
      runAgentTurn(host.state, { agent: "second", message: "Hello from the second agent." }),
    );
    // The parent's call and its tool follow-up, the subagent's run, the announce back to the parent.
    await path(
      "subagent spawned by main",
      () =>
        runAgentTurn(host.state, {
          agent: "main",
          sessionKey: "agent:main:spawner",
          message: `Delegate ${callTool("sessions_spawn", { task: "A subagent task.", runtime: "subagent" })}`,
        }),
      4,
    );
    await path("cron run (second)", async () => {
      const added = await cli([
        ...["cron", "add", "--name", "identity-cron", "--every", "1h", "--agent", "second"],
        ...["--message", "Cron turn.", "--no-deliver", "--json"],
      ]);
      const id = String(added.id ?? (added.job as { id?: string } | undefined)?.id);
      const run = await cli(["cron", "run", id, "--wait", "--json"]);
      expect(run.completionStatus).toBe("succeeded");
    });
    // A system event woken now runs the default session as a heartbeat.
    await path("heartbeat", async () => {
      await runOpenClaw(host.state, ["system", "event", "--text", WAKE_TEXT, "--mode", "now"]);
      await waitFor("the heartbeat's model call", () =>
        chats(host).some((r) => bodyText(r).includes(WAKE_TEXT)),
      );
    });
    // Without --max-lines the gateway asks the model for a summary of the transcript.
    await path("compaction (summary)", async () => {
      const answer = await cli(["sessions", "compact", "agent:main:spawner", "--json"]);
      expect(answer).toMatchObject({ ok: true, compacted: true });
    });
    await path("infer model run --gateway (second)", () =>
      cli([
        ...["infer", "model", "run", "--gateway", "--agent", "second"],
        ...["--prompt", "Infer through the gateway.", "--json"],
      ]),
    );
    // A standalone completion in the CLI process, which needs the key itself.
    await path("infer model run --local (main)", () =>
      cli(
        [
          ...["infer", "model", "run", "--local", "--agent", "main"],
          ...["--prompt", "Infer in the CLI.", "--json"],
        ],
        { CLOUDSIGMA_API_KEY: DEFAULT_API_KEY },
      ),
    );

    const expected: Record<string, { agent: string; key: unknown }> = {
      "turn with a tool follow-up (main)": { agent: "main", key: idOf(workspaces.main) },
      "turn (second)": { agent: "second", key: idOf(workspaces.second) },
      "subagent spawned by main": { agent: "main", key: idOf(workspaces.main) },
      "cron run (second)": { agent: "second", key: idOf(workspaces.second) },
      heartbeat: { agent: "main", key: idOf(workspaces.main) },
      "compaction (summary)": { agent: "main", key: idOf(workspaces.main) },
      "infer model run --gateway (second)": { agent: "second", key: idOf(workspaces.second) },
      // The provider's own identity: the CLI process's session id, the host's default agent.
      "infer model run --local (main)": { agent: "main", key: expect.stringMatching(UUID) },
    };
    // Per path, what TaaS recorded: who, under which id, and whether it fell back.
    const recorded = Object.fromEntries(
      [...paths].map(([name, requests]) => [
        name,
        {
          agents: [...new Set(requests.map((r) => r.agentId))],
          keys: [...new Set(requests.map((r) => r.routingKey))],
          fallbacks: [...new Set(requests.map((r) => r.fallbackReason))],
        },
      ]),
    );
    expect(recorded).toEqual(
      Object.fromEntries(
        Object.entries(expected).map(([name, { agent, key }]) => [
          name,
          { agents: [agent], keys: [key], fallbacks: [null] },
        ]),
      ),
    );
    const followUps = paths.get("turn with a tool follow-up (main)") ?? [];
    expect(followUps.some(hasToolResult)).toBe(true);
    // Which plugin gave each path its identity: the optimizer everywhere the host loads it.
    const versions = (name: string) =>
      new Set(paths.get(name)?.map((r) => r.headers["x-openclaw-plugin-version"]));
    expect(versions("infer model run --local (main)")).toEqual(new Set([providerPkg.version]));
    for (const name of Object.keys(expected).filter((n) => !n.includes("--local")))
      expect(versions(name), name).toEqual(new Set([optimizerPkg.version]));
  });

  it("left zero fallback records: every call's id was honoured, with its agent and our version", () => {
    const all = chats(host);
    // Every call was filed under a path: nothing ran that the day did not account for.
    expect([...paths.values()].flat().map((r) => r.seq)).toEqual(all.map((r) => r.seq));
    for (const request of all) {
      expect(request).toMatchObject({
        status: 200,
        fallbackReason: null,
        routingSource: "x-session-id",
        matchReason: expect.stringMatching(/^external_id(_new)?$/),
      });
      expect(request.agentId).toBe(request.headers["x-openclaw-agent-id"]);
      expect(request.routingKey).toBe(request.headers["x-session-id"]);
      expect(request.headers["x-openclaw-plugin-version"]).toMatch(/^\d+\.\d+\.\d+/);
    }
  });
});
