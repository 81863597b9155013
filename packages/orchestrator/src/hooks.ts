import { errorText } from "@cloudsigma/taas-core/error-text";
import { isBusyError } from "@cloudsigma/taas-core/sqlite";
import type { OrchestratorDeps } from "./deps.ts";
import {
  onBeforePromptBuild,
  type PromptBuildContext,
  type PromptBuildEvent,
} from "./prompt-hook.ts";
import { buildMainBlockReason } from "./prompts.ts";
import { onSubagentEnded, type SubagentEndedEvent } from "./retry.ts";
import { onSessionEnd, type SessionEndEvent } from "./session-cleanup.ts";
import { isFrontControllerSessionKey } from "./session-keys.ts";
import {
  type AfterToolCallEvent,
  onAfterToolCall,
  onSubagentSpawned,
  type SubagentContext,
  type SubagentSpawnedEvent,
} from "./spawn-tracking.ts";
import { asRecord, nonEmpty } from "./text.ts";
import {
  onBeforeToolCall,
  type ToolCallContext,
  type ToolCallEvent,
  type ToolCallResult,
} from "./tool-policy.ts";
import { BUSY_TIMEOUT_MS } from "./tracking-store.ts";

/**
 * The plugin's hook handlers with their failure policy. A state error (database locked or
 * unreadable) is logged with the plugin id and never thrown into the host, which would fail
 * the tool call closed for every session. A database another process holds for more than the
 * short busy timeout is skipped the same way (hooks block the gateway while they wait). The
 * one decision that does not need state, refusing a non-session tool in a main session under
 * enforcement, is still taken on an error.
 */
export function createOrchestratorHooks(deps: OrchestratorDeps) {
  const failed = (hook: string, error: unknown) =>
    deps.logger.error(
      isBusyError(error)
        ? `orchestrator: ${hook} skipped: the state database was locked by another process for more than ${BUSY_TIMEOUT_MS} ms (${errorText(error)})`
        : `orchestrator: ${hook} failed: ${errorText(error)}`,
    );
  const guarded =
    <A extends unknown[], R>(
      hook: string,
      handler: (...args: A) => R,
      fallback: (...args: A) => R,
    ) =>
    (...args: A): R => {
      try {
        return handler(...args);
      } catch (error) {
        failed(hook, error);
        return fallback(...args);
      }
    };
  const nothing = () => undefined;

  return {
    beforePromptBuild: guarded(
      "before_prompt_build",
      (event: PromptBuildEvent, ctx: PromptBuildContext) => onBeforePromptBuild(deps, event, ctx),
      nothing,
    ),
    beforeToolCall: guarded(
      "before_tool_call",
      (event: ToolCallEvent, ctx: ToolCallContext): ToolCallResult =>
        onBeforeToolCall(deps, event, ctx),
      (event: ToolCallEvent, ctx: ToolCallContext): ToolCallResult =>
        statelessPolicy(deps, event, ctx),
    ),
    afterToolCall: guarded(
      "after_tool_call",
      (event: AfterToolCallEvent, ctx: { sessionKey?: string }) =>
        onAfterToolCall(deps, event, ctx),
      nothing,
    ),
    subagentSpawned: guarded(
      "subagent_spawned",
      (event: SubagentSpawnedEvent, ctx: SubagentContext) => onSubagentSpawned(deps, event, ctx),
      nothing,
    ),
    subagentEnded: guarded(
      "subagent_ended",
      (event: SubagentEndedEvent) => onSubagentEnded(deps, event),
      nothing,
    ),
    sessionEnd: guarded(
      "session_end",
      (event: SessionEndEvent) => onSessionEnd(deps, event),
      nothing,
    ),
  };
}

function statelessPolicy(
  deps: OrchestratorDeps,
  event: ToolCallEvent,
  ctx: ToolCallContext,
): ToolCallResult {
  const { settings } = deps;
  if (!settings.enforceMainDelegation || !isFrontControllerSessionKey(ctx.sessionKey))
    return undefined;
  const inner = event.toolName === "tool_call" ? nonEmpty(asRecord(event.params).id) : undefined;
  const target = inner?.split(":").at(-1) ?? event.toolName;
  if (
    target === "tool_search" ||
    target === "tool_describe" ||
    settings.allowedMainTools.has(target)
  ) {
    return undefined;
  }
  return { block: true, blockReason: buildMainBlockReason(target, undefined) };
}
