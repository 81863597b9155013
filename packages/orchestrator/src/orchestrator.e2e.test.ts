import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { RecordedRequest } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  gatewayCall,
  type Host,
  hookNames,
  inspectPlugin,
  nonEmpty,
  REPO_ROOT,
  runAgentTurn,
  startHost,
  tearDownHost,
  type WaitOptions,
  waitFor,
} from "../../../e2e/harness/index.ts";
import { pollRows, type Row } from "../../../test-support/sqlite-rows.ts";

const PLUGIN = {
  id: "orchestrator",
  path: join(REPO_ROOT, "packages", "orchestrator"),
  config: { enforceMainDelegation: true, maxRetriesPerTask: 1 },
  // before_prompt_build (the injected rules) needs the conversation-access grant.
  allowConversationAccess: true,
};
const RETRY_SESSION = "agent:main:retry";

interface Message {
  role: string;
  content: unknown;
}

/** `[[tool:tool_call {...}]]`: the emulator answers with this call (deferred tools go through tool_call). */
const callTool = (id: string, args: Record<string, unknown>) =>
  `[[tool:tool_call ${JSON.stringify({ id, args })}]]`;
const contentText = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part) => (part as { text?: string }).text ?? "").join("\n")
      : "";
const messagesOf = (request: RecordedRequest): Message[] =>
  (request.body as { messages?: Message[] } | null)?.messages ?? [];
const systemPrompt = (request: RecordedRequest) =>
  contentText(messagesOf(request).find((m) => m.role === "system")?.content);
const firstUserText = (request: RecordedRequest) =>
  contentText(messagesOf(request).find((m) => m.role === "user")?.content);
function required<T>(value: T | undefined, label: string): T {
  if (value === undefined) throw new Error(`missing: ${label}`);
  return value;
}
/** The host opens a subagent's task with "[Subagent Context] ... (depth N/5)". */
const atDepth = (request: RecordedRequest, depth: number) =>
  firstUserText(request).includes(
    `[Subagent Context] You are running as a subagent (depth ${depth}/`,
  );
const toolResults = (request: RecordedRequest) =>
  messagesOf(request)
    .filter((m) => m.role === "tool")
    .map((m) => contentText(m.content));

describe("orchestrator in the real host", () => {
  let host: Host;

  const chats = () =>
    host.emulator.requests().filter((r) => r.path === "/v1/chat/completions" && r.body);
  const rows = (sql: string, ...params: string[]): Row[] =>
    pollRows(join(host.state.dir, "orchestrator", "orchestrator.sqlite"), sql, ...params);
  // Subagents and heartbeats run after the turn that started them returned: give them a minute.
  const slow = (): WaitOptions => ({ timeoutMs: 60_000, intervalMs: 300, logs: host.state.logs });
  const retryLog = () =>
    rows(
      "SELECT failed_session_key, outcome, attempt, decision FROM retry_log WHERE requester_session_key = ? ORDER BY id",
      RETRY_SESSION,
    );
  const retryEventFor = (child: string) =>
    chats().filter((r) => JSON.stringify(r.body).includes(`failedChildSession: ${child}`));

  beforeAll(async () => {
    host = await startHost({
      name: "orchestrator",
      emulator: { replicas: 1 },
      config: ({ emulator }) => ({
        // A provider whose key the emulator refuses: a subagent spawned on it fails (outcome "error").
        extraProviders: {
          broken: {
            baseUrl: emulator.url,
            api: "openai-completions",
            apiKey: "revoked-key",
            models: [{ id: "gpt-5.5", name: "gpt-5.5", input: ["text"] }],
          },
        },
        plugins: [PLUGIN],
      }),
      gateway: { token: "orchestrator-token" },
    });
  });

  afterAll(() => tearDownHost(host));

  it("loads with its hooks and no diagnostics", async () => {
    const inspect = await inspectPlugin(host.state, PLUGIN.id);
    expect(inspect.plugin.status).toBe("loaded");
    expect(hookNames(inspect)).toEqual([
      "after_tool_call",
      "before_prompt_build",
      "before_tool_call",
      "session_end",
      "subagent_ended",
      "subagent_spawned",
    ]);
    expect(inspect.diagnostics).toEqual([]);
  });

  it("injects the front-controller rules into main-session requests only, and wraps the spawned orchestrator's task", async () => {
    const worker = `worker task [[tool:exec ${JSON.stringify({ command: "echo worker-ran" })}]]`;
    const orchestrate = `orchestrate this ${callTool("sessions_spawn", { task: worker, runtime: "subagent" })}`;
    await runAgentTurn(host.state, {
      message: `main turn [[tool:exec ${JSON.stringify({ command: "echo from-main" })}]] ${callTool("sessions_spawn", { task: orchestrate, runtime: "subagent" })}`,
    });
    const main = chats().filter((r) => firstUserText(r).includes("main turn"));
    expect(main.length).toBeGreaterThanOrEqual(2);
    for (const request of main) {
      expect(systemPrompt(request)).toContain("[Orchestrator mode is active]");
      expect(systemPrompt(request)).toContain("Retry limit: 1.");
    }
    const subagents = await waitFor(
      "the worker's requests",
      () => {
        const found = chats().filter((r) => firstUserText(r).includes("[Subagent Context]"));
        return found.some((r) => atDepth(r, 2)) ? found : undefined;
      },
      slow(),
    );
    for (const request of subagents)
      expect(systemPrompt(request)).not.toContain("[Orchestrator mode is active]");
    const orchestratorTask = firstUserText(
      required(
        subagents.find((r) => atDepth(r, 1)),
        "a request of the orchestrator",
      ),
    );
    expect(orchestratorTask).toContain("[Hidden Thread Orchestrator]");
    expect(orchestratorTask).toContain("requesterSessionKey: agent:main:main");
    expect(orchestratorTask).toContain("Primary task from front-controller:\norchestrate this");
  });

  it("refuses exec in the main session with a readable reason, lets the worker run it, and tracks both sessions", async () => {
    const mainResults = chats()
      .filter((r) => firstUserText(r).includes("main turn"))
      .flatMap(toolResults);
    expect(mainResults).toContain(
      "Front-controller session tool 'exec' blocked by orchestrator policy. Use sessions_spawn to start a hidden orchestrator first.",
    );
    const workerResults = await waitFor(
      "the worker's exec result",
      () =>
        nonEmpty(
          chats()
            .filter((r) => atDepth(r, 2))
            .flatMap(toolResults),
        ),
      slow(),
    );
    expect(workerResults).toEqual(["worker-ran"]);
    const tracked = await waitFor(
      "both sessions ended",
      () => {
        const found = rows(
          "SELECT session_key, kind, requester_session_key, label, status, task_preview FROM tracked_sessions ORDER BY started_at",
        );
        return found.length === 2 && found.every((row) => row.status === "ok") ? found : undefined;
      },
      slow(),
    );
    const [orchestrator, workerRow] = tracked;
    expect(orchestrator).toMatchObject({
      kind: "orchestrator",
      requester_session_key: "agent:main:main",
      label: expect.stringMatching(/^thread-orchestrator-[0-9a-f]{10}$/),
    });
    expect(String(orchestrator?.task_preview)).toMatch(/^orchestrate this/);
    expect(workerRow).toMatchObject({
      kind: "worker",
      requester_session_key: orchestrator?.session_key,
    });
    expect(String(workerRow?.task_preview)).toMatch(/^worker task/);
  });

  it("queues one retry event for a failed subagent, which reaches the model, and stops at the budget across a restart", async () => {
    const failing = callTool("sessions_spawn", {
      task: "doomed task",
      runtime: "subagent",
      model: "broken/gpt-5.5",
    });
    await runAgentTurn(host.state, { message: `first try ${failing}`, sessionKey: RETRY_SESSION });
    const [first] = await waitFor(
      "the first retry decision",
      () => (retryLog().length === 1 ? retryLog() : undefined),
      slow(),
    );
    expect(first).toMatchObject({ outcome: "error", attempt: 1, decision: "queued" });
    const child = String(first?.failed_session_key);
    // The heartbeat the plugin asked for runs the session: the event is in that model request.
    const withEvent = await waitFor(
      "the retry event in a model request",
      () => nonEmpty(retryEventFor(child)),
      slow(),
    );
    expect(JSON.stringify(withEvent[0]?.body)).toContain("<orchestrator-retry>");
    expect(JSON.stringify(withEvent[0]?.body)).toContain("attempt: 1/1");

    await host.gateway?.stop();
    await host.startGateway();
    await runAgentTurn(host.state, { message: `second try ${failing}`, sessionKey: RETRY_SESSION });
    const log = await waitFor(
      "the second retry decision",
      () => (retryLog().length === 2 ? retryLog() : undefined),
      slow(),
    );
    expect(log[1]).toMatchObject({ outcome: "error", attempt: null, decision: "exhausted" });
    const second = String(log[1]?.failed_session_key);
    expect(second).not.toBe(child);
    // Give a wrongly queued event time to reach a heartbeat run, then check none did.
    await delay(5_000);
    expect(retryEventFor(second)).toEqual([]);
    // Across every request the model got, exactly one failed child was ever offered for retry.
    const offered = new Set(
      chats().flatMap((r) =>
        [...JSON.stringify(r.body).matchAll(/failedChildSession: (agent:[^\\"\s]+)/g)].map(
          (m) => m[1],
        ),
      ),
    );
    expect([...offered]).toEqual([child]);
    expect(
      rows("SELECT retries FROM retry_budgets WHERE requester_session_key = ?", RETRY_SESSION),
    ).toEqual([{ retries: 1 }]);
  });

  it("forgets a main session's subagents and budgets when the session is reset", async () => {
    expect(
      rows(
        "SELECT count(*) AS n FROM tracked_sessions WHERE requester_session_key = ?",
        RETRY_SESSION,
      ),
    ).toEqual([{ n: 2 }]);
    const { json } = await gatewayCall<{ ok?: boolean }>(host.state, "sessions.reset", {
      key: RETRY_SESSION,
    });
    expect(json).toMatchObject({ ok: true });
    await waitFor(
      "the reset session's state to go",
      () =>
        rows(
          "SELECT count(*) AS n FROM tracked_sessions WHERE requester_session_key = ?",
          RETRY_SESSION,
        )[0]?.n === 0,
      slow(),
    );
    expect(
      rows("SELECT * FROM retry_budgets WHERE requester_session_key = ?", RETRY_SESSION),
    ).toEqual([]);
    // The main thread's tracking is untouched.
    expect(
      rows(
        "SELECT count(*) AS n FROM tracked_sessions WHERE requester_session_key = 'agent:main:main'",
      ),
    ).toEqual([{ n: 1 }]);
  });
});
