import type { SpawnSpec } from "./spawn-spec.ts";
import { capText, injectedLine, neutralizeMarkup } from "./task-text.ts";
import { taskPreview } from "./text.ts";

export const ORCHESTRATOR_MODE_MARKER = "[Orchestrator mode is active]";
const STATUS_MARKER = "[Orchestrator status snapshot]";
const HIDDEN_TASK_HEADER = "[Hidden Thread Orchestrator]";
const PRIMARY_TASK_LINE = "Primary task from front-controller:";

/** The static front-controller rules: system context, identical every turn (cache friendly). */
export function buildFrontControllerPrompt(maxRetries: number): string {
  return [
    ORCHESTRATOR_MODE_MARKER,
    "- You are the fast front-controller. Keep the first user-facing response short.",
    "- Front-controller should not call read/exec/process directly.",
    "- Spawn exactly one hidden orchestrator session for this thread via sessions_spawn.",
    "- Delegate all real work to that orchestrator via sessions_send.",
    "- For live progress, query the hidden orchestrator via session_status/sessions_history.",
    "- If user asks for progress/status, query hidden orchestrator first, then answer.",
    `- If a system event contains <orchestrator-retry>, immediately respawn the failed task. Retry limit: ${maxRetries}.`,
  ].join("\n");
}

interface WorkerLine {
  sessionKey: string;
  label: string | null;
  status: string;
  taskPreview: string;
}

/** The per-turn part: which orchestrator serves this thread and what its workers are doing. */
export function buildOrchestratorStatus(
  orchestratorKey: string,
  workers: readonly WorkerLine[],
): string {
  const lines = [
    STATUS_MARKER,
    `- Active hidden orchestrator session: ${orchestratorKey}`,
    `- Use sessions_send with sessionKey=${orchestratorKey} for new delegated work in this thread.`,
  ];
  if (workers.length === 0) {
    lines.push(`- Hidden orchestrator ${orchestratorKey} has no tracked worker sessions.`);
  } else {
    lines.push(`- Workers tracked: ${workers.length}`);
    for (const worker of workers) {
      // Labels and previews come from the model: one bounded line each, no retry markup.
      lines.push(
        `- [${worker.status}] ${worker.sessionKey} (${injectedLine(worker.label ?? "no-label", 100)}) :: ${injectedLine(worker.taskPreview)}`,
      );
    }
  }
  return lines.join("\n");
}

/** Drops an injected status block from captured user text, so it is never re-used as a task. */
export function stripInjectedContext(text: string): string {
  const start = text.indexOf(STATUS_MARKER);
  if (start < 0) return text.trim();
  const end = text.indexOf("\n\n", start);
  return `${text.slice(0, start)}${end < 0 ? "" : text.slice(end + 2)}`.trim();
}

/** The task a hidden orchestrator is spawned with: its contract, then the front's task. */
export function buildHiddenOrchestratorTask(requesterSessionKey: string, userTask: string): string {
  return [
    HIDDEN_TASK_HEADER,
    `requesterSessionKey: ${requesterSessionKey}`,
    "You are a hidden orchestrator for one front-controller thread.",
    "Execution contract:",
    "1) Break the task into concrete worker subtasks.",
    "2) Spawn worker subagents (sessions_spawn) for tool/file/shell/web work.",
    "3) Track worker status (pending/running/succeeded/failed) and retry failed workers only when useful.",
    "4) Keep progress updates concise and structured so requester can poll status.",
    "5) Send progress updates back to requester via sessions_send as useful.",
    "6) When all workers finish, send a final summary to requester via sessions_send with completed changes, failures, and next actions.",
    "7) Do not run read/write/edit/exec/process yourself unless delegation repeatedly fails.",
    "",
    PRIMARY_TASK_LINE,
    userTask,
  ].join("\n");
}

/**
 * The front's own task inside a wrapped orchestrator task (or the text itself). A respawn after
 * a retry event may pass the wrapped text back; unwrapping keeps the wrapper single and the task
 * key (and so the retry budget) the same.
 */
export function unwrapOrchestratorTask(task: string): string {
  let current = task.trim();
  while (current.startsWith(HIDDEN_TASK_HEADER)) {
    const at = current.indexOf(`\n${PRIMARY_TASK_LINE}\n`);
    if (at < 0) break;
    current = current.slice(at + PRIMARY_TASK_LINE.length + 2).trim();
  }
  return current;
}

/**
 * Why an orchestrator's own tool call was refused, and how to delegate it instead. The tool
 * name is the model's: it is repeated bounded and on one line.
 */
export function buildDelegationHint(toolName: string, params: unknown): string {
  const preview = taskPreview(JSON.stringify(params ?? {}), 260);
  const tool = injectedLine(toolName, 100);
  const example = JSON.stringify({
    label: `worker-${tool}`,
    task: `Use tool ${tool} with params ${preview}. Return concise findings and artifacts.`,
  });
  return [
    `Hidden orchestrator policy blocked '${tool}'.`,
    "Delegate this to a worker using sessions_spawn with a concrete task.",
    "Example:",
    `sessions_spawn(${example})`,
  ].join(" ");
}

export function buildMainBlockReason(
  toolName: string,
  orchestratorKey: string | undefined,
): string {
  const next = orchestratorKey
    ? ` Use sessions_send with sessionKey='${orchestratorKey}' to delegate work.`
    : " Use sessions_spawn to start a hidden orchestrator first.";
  return `Front-controller session tool '${injectedLine(toolName, 100)}' blocked by orchestrator policy.${next}`;
}

/**
 * The system event that asks the requester to respawn a failed subagent task. Everything in
 * it but the plugin's own words comes from a spawn the model asked for, so each value is
 * neutralised (it cannot close the block or open another) and bounded: the task to
 * `TASK_MAX_BYTES`, with its further lines indented so none can pose as a field of the block;
 * every other value to one short line.
 */
export function buildRetrySystemEvent(input: {
  spec: SpawnSpec;
  failedSessionKey: string;
  outcome: string;
  attempt: number;
  maxRetries: number;
}): string {
  const { spec } = input;
  const task = capText(neutralizeMarkup(spec.task.trim()).replace(/\r?\n/g, "\n  "));
  return [
    "<orchestrator-retry>",
    `failedChildSession: ${injectedLine(input.failedSessionKey)}`,
    `outcome: ${injectedLine(input.outcome)}`,
    `attempt: ${input.attempt}/${input.maxRetries}`,
    "action: Respawn this subagent task immediately via sessions_spawn.",
    `task: ${task}`,
    `label: ${injectedLine(spec.label ?? "")}`,
    `agentId: ${injectedLine(spec.agentId ?? "")}`,
    `model: ${injectedLine(spec.model ?? "")}`,
    `thinking: ${injectedLine(spec.thinking ?? "")}`,
    `mode: ${injectedLine(spec.mode ?? "")}`,
    `thread: ${String(spec.thread ?? false)}`,
    "</orchestrator-retry>",
  ].join("\n");
}
