import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApi } from "../../../test-support/plugin-api.ts";
import { registerTokenAudit } from "./register.ts";
import { shutdownAudit } from "./runtime.ts";

let stateDir: string;
// The entry's register with the state dir injected, as index.ts does with the host's.
const entry = {
  register: (api: OpenClawPluginApi) => registerTokenAudit(api, { stateDir: () => stateDir }),
};
const granted = {
  plugins: { entries: { "token-audit": { hooks: { allowConversationAccess: true } } } },
};

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "token-audit-index-"));
});
afterEach(() => {
  shutdownAudit();
  rmSync(stateDir, { recursive: true, force: true });
});

const readLines = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
const run = "9a0b";
const call = (n: number) => ({
  runId: run,
  callId: `${run}:model:${n}`,
  sessionKey: "agent:main:main",
  sessionId: "s1",
  provider: "cloudsigma",
  model: "gpt-5.5",
});
const ctx = {
  runId: run,
  agentId: "main",
  sessionKey: "agent:main:main",
  sessionId: "s1",
  trigger: "user",
};

describe("token-audit registration", () => {
  it("does nothing in cli-metadata mode or when disabled", () => {
    const meta = fakeApi({ id: "token-audit", mode: "cli-metadata" });
    entry.register(meta.api);
    const off = fakeApi({ id: "token-audit", mode: "full", pluginConfig: { enabled: false } });
    entry.register(off.api);
    expect([meta.hooks.size, off.hooks.size, meta.clis.length]).toEqual([0, 0, 0]);
  });

  it("writes one JSON line per model call, with cache fields, into the state dir", () => {
    const fake = fakeApi({ id: "token-audit", mode: "full", config: granted });
    entry.register(fake.api);
    fake.fire(
      "llm_input",
      {
        runId: run,
        sessionId: "s1",
        provider: "cloudsigma",
        model: "gpt-5.5",
        prompt: "hi",
        historyMessages: [],
      },
      ctx,
    );
    for (const [n, usage] of [
      [1, { input: 281, output: 7, cacheRead: 13_440, cacheWrite: 0 }],
      [2, { input: 3390, output: 45, cacheRead: 13_568, cacheWrite: 0 }],
    ] as const) {
      fake.fire("model_call_started", call(n));
      fake.fire("model_call_ended", { ...call(n), durationMs: 100 + n, outcome: "completed" });
      fake.fire(
        "before_message_write",
        { message: { role: "assistant", model: "gpt-5.5", usage } },
        { agentId: "main", sessionKey: "agent:main:main" },
      );
    }
    fake.fire("gateway_stop", {}, {});
    const lines = readLines(join(stateDir, "token-audit", "usage.jsonl"));
    expect(lines.map((l) => [l.callId, l.usage.cacheRead, l.latencyMs, l.trigger])).toEqual([
      [`${run}:model:1`, 13_440, 101, "user"],
      [`${run}:model:2`, 13_568, 102, "user"],
    ]);
    expect(lines[0]).toMatchObject({
      granularity: "call",
      sessionKey: "agent:main:main",
      runId: run,
      provider: "cloudsigma",
      model: "gpt-5.5",
      usage: { input: 281, output: 7, cacheWrite: 0, total: 13_728, known: true },
    });
    expect(existsSync(join(stateDir, "token-audit", "large-prompts.jsonl"))).toBe(false);
  });

  it("warns through the plugin logger and dumps the breakdown for a large prompt", () => {
    const fake = fakeApi({
      id: "token-audit",
      mode: "full",
      config: granted,
      pluginConfig: { largePromptChars: 1000 },
    });
    entry.register(fake.api);
    fake.fire(
      "llm_input",
      {
        runId: run,
        sessionId: "s1",
        provider: "cloudsigma",
        model: "gpt-5.5",
        systemPrompt: "x".repeat(2000),
        prompt: "secret words",
        historyMessages: [],
      },
      ctx,
    );
    shutdownAudit();
    expect(fake.logs).toEqual([
      expect.stringMatching(
        /^warn: \[token-audit\] large prompt: 2,012 chars > 1,000 \(system 2,000, prompt 12,/,
      ),
    ]);
    const [dump] = readLines(join(stateDir, "token-audit", "large-prompts.jsonl"));
    expect(dump).toMatchObject({
      runId: run,
      sessionKey: "agent:main:main",
      breakdown: { systemChars: 2000, promptChars: 12 },
    });
    expect(JSON.stringify(dump)).not.toContain("secret");
  });
});
