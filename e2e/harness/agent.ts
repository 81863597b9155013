import { parseJsonOutput, runOpenClaw } from "./openclaw-cli.ts";
import type { StateDir } from "./state-dir.ts";

/** The host's normalised usage, as `openclaw agent --json` reports it. */
export interface HostUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
  cost?: { total?: number };
}

export interface AgentTurnJson {
  payloads?: Array<{ text?: string }>;
  meta: {
    durationMs?: number;
    finalAssistantVisibleText?: string;
    stopReason?: string;
    agentMeta?: {
      sessionId?: string;
      sessionFile?: string;
      provider?: string;
      model?: string;
      usage?: HostUsage;
      lastCallUsage?: HostUsage;
      promptTokens?: number;
      terminalReceipt?: { runId?: string; sessionId?: string; turnId?: string };
    };
  };
}

interface GatewayAgentJson {
  runId?: string;
  status?: string;
  result: AgentTurnJson;
}

export interface AgentTurnOptions {
  message: string;
  agent?: string;
  /** Embedded run in the CLI process; without it the turn runs inside the running gateway. */
  local?: boolean;
  sessionKey?: string;
  sessionId?: string;
  model?: string;
  /** `--thinking <level>` (off, minimal, low, medium, high, ...). */
  thinking?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export interface AgentTurn {
  json: AgentTurnJson;
  reply: string;
  usage: HostUsage | undefined;
  runId: string | undefined;
  sessionId: string | undefined;
  durationMs: number;
}

/** Runs one `openclaw agent ... --json` turn and returns what the host reported. */
export async function runAgentTurn(state: StateDir, options: AgentTurnOptions): Promise<AgentTurn> {
  const args = ["agent", "--agent", options.agent ?? "main", "-m", options.message, "--json"];
  if (options.local) args.push("--local");
  if (options.sessionKey) args.push("--session-key", options.sessionKey);
  if (options.sessionId) args.push("--session-id", options.sessionId);
  if (options.model) args.push("--model", options.model);
  if (options.thinking) args.push("--thinking", options.thinking);
  const result = await runOpenClaw(state, args, {
    env: options.env,
    timeoutMs: options.timeoutMs ?? 180_000,
    logName: `agent-${options.agent ?? "main"}`,
  });
  const raw = parseJsonOutput<AgentTurnJson | GatewayAgentJson>(
    result,
    `openclaw ${args.join(" ")}`,
  );
  // Through a gateway the CLI wraps the run's result: { runId, status, summary, result }.
  const json = "result" in raw ? raw.result : raw;
  if (!json?.meta)
    throw new Error(`openclaw agent printed no run metadata: ${result.stdout.slice(0, 500)}`);
  const meta = json.meta.agentMeta;
  return {
    json,
    reply:
      json.meta.finalAssistantVisibleText ??
      json.payloads?.map((p) => p.text ?? "").join("\n") ??
      "",
    usage: meta?.usage,
    runId: meta?.terminalReceipt?.runId,
    sessionId: meta?.sessionId,
    durationMs: result.durationMs,
  };
}
