import { ORCHESTRATOR_STALE_MS, type OrchestratorDeps } from "./deps.ts";
import {
  buildFrontControllerPrompt,
  buildOrchestratorStatus,
  ORCHESTRATOR_MODE_MARKER,
  stripInjectedContext,
} from "./prompts.ts";
import { sessionRole } from "./session-role.ts";
import { asRecord, nonEmpty } from "./text.ts";

/** The fields of the host's before_prompt_build event and agent context this hook reads. */
export interface PromptBuildEvent {
  prompt?: string;
  currentUserMessage?: string;
  messages?: unknown[];
}
export interface PromptBuildContext {
  sessionKey?: string;
  trigger?: string;
}
interface PromptBuildResult {
  appendSystemContext?: string;
  prependContext?: string;
}

const STATUS_WORKERS = 12;

/**
 * Main sessions get the front-controller rules as appended system context (the same text every
 * turn, so the provider's prompt cache keeps it) and, once they have an orchestrator, a short
 * status of it and its workers before the user's message. Subagents get nothing. Every session's
 * last user message is noted: it is the fallback task of a sessions_spawn without one.
 */
export function onBeforePromptBuild(
  deps: OrchestratorDeps,
  event: PromptBuildEvent,
  ctx: PromptBuildContext,
): PromptBuildResult | undefined {
  const { sessionKey } = ctx;
  if (!sessionKey) return undefined;
  const store = deps.store();
  const now = deps.now();
  if (ctx.trigger === undefined || ctx.trigger === "user") {
    const latest = latestUserText(event);
    if (latest) store.notes.set(sessionKey, "last_user_message", latest, now);
  }
  if (!deps.settings.injectOrchestratorPrompt || sessionRole(store, sessionKey) !== "front")
    return undefined;

  const result: PromptBuildResult = {
    appendSystemContext: buildFrontControllerPrompt(deps.settings.maxRetriesPerTask),
  };
  const orchestrator = store.activeOrchestrator(sessionKey, now - ORCHESTRATOR_STALE_MS);
  if (orchestrator) {
    const workers = store.childrenOf(orchestrator, STATUS_WORKERS).map((worker) => ({
      sessionKey: worker.sessionKey,
      label: worker.label,
      status: worker.status,
      taskPreview: worker.taskPreview,
    }));
    result.prependContext = buildOrchestratorStatus(orchestrator, workers);
  }
  return result;
}

function latestUserText(event: PromptBuildEvent): string | undefined {
  const candidates = [
    event.currentUserMessage,
    lastUserMessage(event.messages ?? []),
    event.prompt,
  ];
  for (const candidate of candidates) {
    const text = nonEmpty(candidate);
    if (!text || text.includes(ORCHESTRATOR_MODE_MARKER)) continue;
    const cleaned = stripInjectedContext(text);
    if (cleaned) return cleaned;
  }
  return undefined;
}

function lastUserMessage(messages: readonly unknown[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = asRecord(messages[i]);
    if (message.role !== "user") continue;
    const content = contentText(message.content);
    if (content) return content;
  }
  return undefined;
}

function contentText(content: unknown): string | undefined {
  if (typeof content === "string") return nonEmpty(content);
  if (!Array.isArray(content)) return undefined;
  const parts = content
    .map(asRecord)
    .filter((part) => part.type === "text")
    .map((part) => nonEmpty(part.text))
    .filter((part): part is string => part !== undefined);
  return nonEmpty(parts.join("\n"));
}
