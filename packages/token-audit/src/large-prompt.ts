import { runTrigger } from "@cloudsigma/taas-core/usage/run-trigger";
import {
  type DumpOptions,
  type PromptInput,
  promptBreakdown,
  promptDump,
} from "./prompt-breakdown.ts";

export interface PromptContext {
  runId?: string;
  sessionId?: string;
  sessionKey?: string;
  agentId?: string;
  trigger?: string;
  provider?: string;
  model?: string;
}

/** Only the identifying fields go into a dump (never the hook context's paths or traces). */
function identity(context: PromptContext): PromptContext {
  const { runId, sessionId, sessionKey, agentId, trigger, provider, model } = context;
  // The same trigger the ledger rows carry, so a dump and its rows group alike.
  const named = runTrigger(trigger ?? null, sessionKey ?? null) ?? undefined;
  return { runId, sessionId, sessionKey, agentId, trigger: named, provider, model };
}

export interface LargePromptDeps {
  thresholdChars: number;
  dump: DumpOptions;
  warn: (message: string) => void;
  writeDump: (entry: unknown) => void;
  dumpPath: () => string;
  now?: () => number;
}

const n = new Intl.NumberFormat("en-US");

/**
 * Checks one `llm_input` prompt (system + prompt + history; tool schemas are reported beside it,
 * see PromptBreakdown.totalChars) against the threshold. Over it: one warning line with the
 * breakdown, and one bounded dump entry (largest messages and tools; text previews only when
 * configured). Returns whether it warned.
 */
export function checkPromptSize(
  input: PromptInput,
  context: PromptContext,
  deps: LargePromptDeps,
): boolean {
  const b = promptBreakdown(input);
  if (b.totalChars <= deps.thresholdChars) return false;
  const where = [
    context.sessionKey ? `session=${context.sessionKey}` : undefined,
    context.runId ? `run=${context.runId}` : undefined,
    context.provider || context.model
      ? `model=${context.provider ?? "?"}/${context.model ?? "?"}`
      : undefined,
  ]
    .filter(Boolean)
    .join(" ");
  deps.warn(
    `large prompt: ${n.format(b.totalChars)} chars > ${n.format(deps.thresholdChars)} ` +
      `(system ${n.format(b.systemChars)}, prompt ${n.format(b.promptChars)}, ` +
      `history ${n.format(b.historyChars)} in ${b.historyMessages} message(s), images ${b.imagesCount}; ` +
      `not counted: tool schemas ${n.format(b.toolSchemaChars)} for ${b.toolCount} available tool(s)) ` +
      `${where}; breakdown appended to ${deps.dumpPath()}`,
  );
  deps.writeDump({
    time: new Date((deps.now ?? Date.now)()).toISOString(),
    thresholdChars: deps.thresholdChars,
    ...identity(context),
    ...promptDump(input, deps.dump),
  });
  return true;
}
