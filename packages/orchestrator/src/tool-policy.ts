import { ORCHESTRATOR_STALE_MS, type OrchestratorDeps } from "./deps.ts";
import { buildDelegationHint, buildMainBlockReason } from "./prompts.ts";
import { type SessionRole, sessionRole } from "./session-role.ts";
import { planSpawn } from "./spawn-plan.ts";
import { injectedLine } from "./task-text.ts";
import { asRecord, nonEmpty } from "./text.ts";

/** The fields of the host's before_tool_call event and tool context this hook reads. */
export interface ToolCallEvent {
  toolName: string;
  params: Record<string, unknown>;
  runId?: string;
  toolCallId?: string;
}
export interface ToolCallContext {
  sessionKey?: string;
}
export type ToolCallResult =
  | { block: true; blockReason: string }
  | { params: Record<string, unknown> }
  | undefined;

/** The host's deferred-tool router: searching and describing tools does no work itself. */
const TOOL_ROUTER = new Set(["tool_search", "tool_describe"]);
const TOOL_CALL = "tool_call";
/** After this many refusals of the same tool in one run, an orchestrator may use it directly. */
const ORCHESTRATOR_FALLBACK_ATTEMPTS = 3;

/**
 * before_tool_call. Policy first: with enforcement on, a main session may call only its allowed
 * (session) tools; a hidden orchestrator only its own list, until the same tool was refused
 * twice in a run (the third try goes through). A `tool_call` wrapper is judged by the tool it
 * calls (the host then runs this hook again for the inner call). Then routing, so a front
 * controller can follow its thread's orchestrator without knowing its session key:
 * sessions_send and status reads default to the thread's orchestrator (or its requester), and
 * sessions_spawn is planned (wrapped as the hidden orchestrator from a main session) and
 * recorded as a pending spawn.
 */
export function onBeforeToolCall(
  deps: OrchestratorDeps,
  event: ToolCallEvent,
  ctx: ToolCallContext,
): ToolCallResult {
  const { sessionKey } = ctx;
  const store = deps.store();
  const role = sessionRole(store, sessionKey);
  const target = targetTool(event);

  const refusal = policyRefusal(deps, role, target, event, sessionKey);
  if (refusal) return refusal;
  if (!sessionKey || event.toolName === TOOL_CALL) return undefined;

  const params = asRecord(event.params);
  const hasTarget = Boolean(nonEmpty(params.sessionKey) ?? nonEmpty(params.label));
  const now = deps.now();
  if (role === "orchestrator" && event.toolName === "sessions_send") {
    const requester = store.getSession(sessionKey)?.requesterSessionKey;
    const message = nonEmpty(params.message);
    if (requester && !hasTarget) {
      if (message) store.notes.set(sessionKey, "last_delegated_task", message, now);
      return { params: { ...params, sessionKey: requester } };
    }
    return undefined;
  }
  if (
    role === "front" &&
    ["sessions_send", "session_status", "sessions_history"].includes(event.toolName)
  ) {
    return routeToOrchestrator(deps, sessionKey, event.toolName, params, hasTarget);
  }
  if (
    event.toolName !== "sessions_spawn" ||
    (role !== "front" && role !== "orchestrator" && role !== "worker")
  ) {
    return undefined;
  }
  return planSpawn(deps, {
    role,
    sessionKey,
    params,
    runId: event.runId,
    toolCallId: event.toolCallId,
  });
}

/** The tool a call really runs: the inner id of a `tool_call`, else the tool itself. */
function targetTool(event: ToolCallEvent): string {
  if (event.toolName !== TOOL_CALL) return event.toolName;
  const id = nonEmpty(asRecord(event.params).id) ?? TOOL_CALL;
  // Qualified ids ("openclaw:core:sessions_spawn") name the tool last.
  return id.split(":").at(-1) ?? id;
}

function policyRefusal(
  deps: OrchestratorDeps,
  role: SessionRole,
  target: string,
  event: ToolCallEvent,
  sessionKey: string | undefined,
): ToolCallResult {
  if (TOOL_ROUTER.has(target) || !sessionKey) return undefined;
  const { settings, logger } = deps;
  const store = deps.store();
  if (
    role === "front" &&
    settings.enforceMainDelegation &&
    !settings.allowedMainTools.has(target)
  ) {
    const orchestrator = store.activeOrchestrator(sessionKey, deps.now() - ORCHESTRATOR_STALE_MS);
    logger.info(
      `orchestrator: blocked '${injectedLine(target, 100)}' in main session ${sessionKey} (delegation enforced)`,
    );
    return { block: true, blockReason: buildMainBlockReason(target, orchestrator) };
  }
  if (role === "orchestrator" && !settings.allowedOrchestratorTools.has(target)) {
    const attempts = store.notes.countBlock(
      `${event.runId ?? "run"}|${sessionKey}|${target}`,
      sessionKey,
      deps.now(),
    );
    if (attempts >= ORCHESTRATOR_FALLBACK_ATTEMPTS) {
      logger.warn(
        `orchestrator: allowing direct tool fallback after repeated policy blocks (${injectedLine(target, 100)}, attempts=${attempts}) in ${sessionKey}`,
      );
      return undefined;
    }
    const innerParams = event.toolName === TOOL_CALL ? asRecord(event.params).args : event.params;
    const hint = buildDelegationHint(target, innerParams);
    store.notes.set(sessionKey, "last_delegated_task", hint, deps.now());
    return { block: true, blockReason: hint };
  }
  return undefined;
}

function routeToOrchestrator(
  deps: OrchestratorDeps,
  sessionKey: string,
  toolName: string,
  params: Record<string, unknown>,
  hasTarget: boolean,
): ToolCallResult {
  const store = deps.store();
  const orchestrator = store.activeOrchestrator(sessionKey, deps.now() - ORCHESTRATOR_STALE_MS);
  if (!orchestrator) return undefined;
  if (toolName === "sessions_send") {
    const target = nonEmpty(params.sessionKey);
    const message = nonEmpty(params.message);
    if (message && (!target || target === orchestrator)) {
      store.notes.set(orchestrator, "last_delegated_task", message, deps.now());
    }
    return undefined;
  }
  return hasTarget ? undefined : { params: { ...params, sessionKey: orchestrator } };
}
