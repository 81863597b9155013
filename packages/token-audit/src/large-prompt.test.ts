import { describe, expect, it } from "vitest";
import { checkPromptSize, type LargePromptDeps } from "./large-prompt.ts";

const input = {
  systemPrompt: "S".repeat(60_000),
  prompt: "please summarise",
  historyMessages: [
    { role: "user", content: "my password is hunter2" },
    { role: "assistant", content: [{ type: "text", text: "A".repeat(45_000) }] },
  ],
  tools: [{ name: "read", parameters: { type: "object" } }],
  imagesCount: 0,
};
const context = {
  runId: "r1",
  sessionKey: "agent:main:main",
  provider: "cloudsigma",
  model: "gpt-5.5",
};

function deps(over: Partial<LargePromptDeps> = {}) {
  const warnings: string[] = [];
  const dumps: unknown[] = [];
  const d: LargePromptDeps = {
    thresholdChars: 100_000,
    dump: { maxItems: 5, previews: false, previewChars: 12 },
    warn: (m) => warnings.push(m),
    writeDump: (e) => dumps.push(e),
    dumpPath: () => "/state/token-audit/large-prompts.jsonl",
    now: () => Date.UTC(2026, 10, 21),
    ...over,
  };
  return { d, warnings, dumps };
}

describe("checkPromptSize", () => {
  it("stays quiet at or under the threshold", () => {
    const { d, warnings, dumps } = deps({ thresholdChars: 200_000 });
    expect(checkPromptSize(input, context, d)).toBe(false);
    expect(warnings).toEqual([]);
    expect(dumps).toEqual([]);
  });

  it("warns with the breakdown and where the dump went", () => {
    const { d, warnings } = deps();
    expect(checkPromptSize(input, context, d)).toBe(true);
    const tools = JSON.stringify(input.tools[0]).length;
    const history = "my password is hunter2".length + 45_000;
    const total = 60_000 + "please summarise".length + history;
    expect(warnings).toEqual([
      `large prompt: ${total.toLocaleString("en-US")} chars > 100,000 (system 60,000, prompt 16, history ${history.toLocaleString("en-US")} in 2 message(s), images 0; not counted: tool schemas ${tools} for 1 available tool(s)) session=agent:main:main run=r1 model=cloudsigma/gpt-5.5; breakdown appended to /state/token-audit/large-prompts.jsonl`,
    ]);
  });

  it("names a subagent session's dump 'subagent', as the ledger rows do", () => {
    const { d, dumps } = deps();
    checkPromptSize(
      input,
      { ...context, sessionKey: "agent:main:subagent:abc", trigger: "user" },
      d,
    );
    checkPromptSize(input, { ...context, trigger: "user" }, d);
    expect(dumps.map((e) => (e as { trigger?: string }).trigger)).toEqual(["subagent", "user"]);
  });

  it("dumps sizes only, no text, unless previews are on", () => {
    const quiet = deps();
    const hookContext = {
      ...context,
      workspaceDir: "/home/me/secret-project",
      trace: { traceId: "t" },
    };
    checkPromptSize(input, hookContext, quiet.d);
    expect(JSON.stringify(quiet.dumps)).not.toMatch(/secret-project|traceId/);
    expect(JSON.stringify(quiet.dumps)).not.toMatch(/hunter2|summarise|AAAA/);
    expect(quiet.dumps[0]).toMatchObject({
      time: "2026-11-21T00:00:00.000Z",
      thresholdChars: 100_000,
      runId: "r1",
      breakdown: { systemChars: 60_000, historyMessages: 2 },
      largestMessages: [
        { index: 1, role: "assistant", chars: 45_000 },
        { index: 0, role: "user", chars: 22 },
      ],
    });
    const open = deps({ dump: { maxItems: 1, previews: true, previewChars: 12 } });
    checkPromptSize(input, context, open.d);
    expect(open.dumps[0]).toMatchObject({
      largestMessages: [{ index: 1, preview: "AAAAAAAAAAAA…" }],
      promptPreview: "please summa…",
    });
  });
});
