import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedRequest } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentTurn,
  type Host,
  REPO_ROOT,
  runAgentTurn,
  startHost,
  tearDownHost,
} from "../../../e2e/harness/index.ts";

interface AuditLine {
  granularity: string;
  runId: string;
  callId: string;
  sessionKey: string;
  provider: string;
  model: string;
  usage: { input: number; output: number; cacheRead: number; cacheWrite: number; total: number };
}

const readJsonl = <T>(path: string): T[] =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as T)
    : [];

describe("token-audit in the real host", () => {
  let host: Host;
  let turn: AgentTurn;
  let requests: RecordedRequest[];
  const secret = "zebra-papaya-7731";

  beforeAll(async () => {
    host = await startHost({
      name: "token-audit",
      emulator: { replicas: 1 },
      config: {
        plugins: [
          {
            id: "token-audit",
            path: join(REPO_ROOT, "packages", "token-audit"),
            // The stock system prompt alone is ~50,000 chars: 20,000 makes every turn "large".
            config: { largePromptChars: 20_000 },
            allowConversationAccess: true,
          },
        ],
      },
    });
    // One embedded turn with a tool round trip: two model calls.
    turn = await runAgentTurn(host.state, {
      message: `Audit me ${secret} [[tool:tool_search {"query":"time"}]]`,
      local: true,
    });
    requests = host.emulator.requests().filter((r) => r.path === "/v1/chat/completions");
  });

  afterAll(() => tearDownHost(host));

  it("writes one line per model call with the call's own usage and cache fields", () => {
    const lines = readJsonl<AuditLine>(join(host.state.dir, "token-audit", "usage.jsonl"));
    expect(requests).toHaveLength(2);
    expect(
      lines.map((l) => [
        l.granularity,
        l.callId,
        l.usage.input + l.usage.cacheRead,
        l.usage.cacheRead,
        l.usage.output,
      ]),
    ).toEqual(
      requests.map((r, i) => [
        "call",
        `${turn.runId}:model:${i + 1}`,
        r.promptTokens,
        r.cachedTokens,
        r.completionTokens,
      ]),
    );
    expect(lines[0]).toMatchObject({
      runId: turn.runId,
      sessionKey: "agent:main:main",
      provider: "cloudsigma",
      model: turn.json.meta.agentMeta?.model,
    });
    expect(lines.reduce((sum, l) => sum + l.usage.total, 0)).toBe(turn.usage?.total);
  });

  it("warns through the plugin logger and dumps a breakdown without any prompt text", () => {
    const hostLog = readFileSync(join(host.state.logs, "openclaw-host.log"), "utf8");
    expect(hostLog).toMatch(
      /\[token-audit\] large prompt: [\d,]+ chars > 20,000 \(system [\d,]+, prompt \d+, history [\d,]+ in \d+ message\(s\)/,
    );
    const dumps = readJsonl<Record<string, unknown>>(
      join(host.state.dir, "token-audit", "large-prompts.jsonl"),
    );
    expect(dumps).toHaveLength(1);
    expect(dumps[0]).toMatchObject({
      runId: turn.runId,
      thresholdChars: 20_000,
      breakdown: { toolCount: expect.any(Number) },
    });
    expect(JSON.stringify(dumps)).not.toContain(secret);
  });
});
