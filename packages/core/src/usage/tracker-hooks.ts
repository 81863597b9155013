import { errorText } from "../error-text.ts";
import type { ShutdownGroup } from "../process-scope.ts";
import { CallTracker, type CallTrackerOptions } from "./call-tracker.ts";
import type {
  AssistantWriteContext,
  ModelCallEndedEvent,
  ModelCallEvent,
  RunContext,
  RunEndEvent,
  RunOutputEvent,
} from "./call-tracker-types.ts";

/**
 * The host hook handlers that feed a CallTracker, one per hook name, each guarded: a failure
 * is reported to `onError` and never thrown into the host (hooks run on the turn's path).
 * Plugins pass them straight to `api.on(<name>, handlers.<name>)`. Which hooks need the
 * conversation-access grant: llm_input, llm_output and agent_end; the others do not.
 */
interface TrackerHandlers {
  model_call_started: (event: ModelCallEvent) => void;
  model_call_ended: (event: ModelCallEndedEvent) => void;
  before_message_write: (event: { message?: unknown }, ctx: AssistantWriteContext) => undefined;
  llm_input: (event: { runId?: string; sessionId?: string }, ctx: RunContext) => void;
  llm_output: (event: RunOutputEvent, ctx: RunContext) => void;
  agent_end: (event: RunEndEvent, ctx: RunContext) => void;
}

function trackerHandlers(
  tracker: () => CallTracker,
  onError: (hook: string, error: unknown) => void,
): TrackerHandlers {
  const guard = (hook: string, work: () => void): void => {
    try {
      work();
    } catch (error) {
      onError(hook, error);
    }
  };
  return {
    model_call_started: (event) => guard("model_call_started", () => tracker().callStarted(event)),
    model_call_ended: (event) => guard("model_call_ended", () => tracker().callEnded(event)),
    before_message_write: (event, ctx) => {
      // Synchronous hook on the transcript write: record and return nothing (no rewrite).
      guard("before_message_write", () => tracker().assistantWritten(event.message, ctx));
      return undefined;
    },
    llm_input: (event, ctx) =>
      guard("llm_input", () =>
        tracker().runContext({
          ...ctx,
          runId: ctx.runId ?? event.runId,
          sessionId: ctx.sessionId ?? event.sessionId,
        }),
      ),
    llm_output: (event, ctx) => guard("llm_output", () => tracker().runOutput(event, ctx)),
    agent_end: (event, ctx) => guard("agent_end", () => tracker().runEnded(event, ctx)),
  };
}

/**
 * The slice of the host's plugin API the tracker hooks need, declared structurally (core never
 * imports the host); the host's `api` satisfies it as is.
 */
interface TrackerHookApi {
  on(hook: "model_call_started", handler: TrackerHandlers["model_call_started"]): void;
  on(hook: "model_call_ended", handler: TrackerHandlers["model_call_ended"]): void;
  on(hook: "before_message_write", handler: TrackerHandlers["before_message_write"]): void;
  on(hook: "llm_input", handler: TrackerHandlers["llm_input"]): void;
  on(hook: "llm_output", handler: TrackerHandlers["llm_output"]): void;
  on(hook: "agent_end", handler: TrackerHandlers["agent_end"]): void;
  on(hook: "gateway_stop", handler: () => void): void;
}

/**
 * Registers the call-tracking hooks both the usage ledger and the token audit use: model_call_*
 * for ids and timing, the assistant message write for each call's usage, llm_output for run
 * totals, agent_end for the outcome. `tracker` is called on the first event (so registrations
 * that never see one open nothing); `stop` runs on gateway_stop (drain, then flush).
 */
export function registerTrackerHooks(
  api: TrackerHookApi,
  deps: {
    tracker: () => CallTracker;
    onError: (hook: string, error: unknown) => void;
    stop: () => void;
  },
): void {
  const handlers = trackerHandlers(deps.tracker, deps.onError);
  api.on("model_call_started", handlers.model_call_started);
  api.on("model_call_ended", handlers.model_call_ended);
  api.on("before_message_write", handlers.before_message_write);
  api.on("llm_input", handlers.llm_input);
  api.on("llm_output", handlers.llm_output);
  api.on("agent_end", handlers.agent_end);
  api.on("gateway_stop", deps.stop);
}

/** Rate-limits repeated hook errors to one log line per hook and message. */
export function oncePerError(
  log: (message: string) => void,
): (hook: string, error: unknown) => void {
  const seen = new Set<string>();
  return (hook, error) => {
    const message = errorText(error, 300);
    const key = `${hook}\u0000${message}`;
    if (seen.has(key) || seen.size > 100) return;
    seen.add(key);
    log(`${hook} handler failed (the turn is unaffected): ${message}`);
  };
}

/**
 * One module instance's call tracker, created on first use (registrations that never see an
 * event open nothing), with its sweep and a drain on the plugin's shutdown group that runs
 * before the writers close (order 0).
 */
export function lazyCallTracker(options: {
  emit: CallTrackerOptions["emit"];
  prices: CallTrackerOptions["prices"];
  shutdown: ShutdownGroup;
  /** Unique per module instance within the plugin's shutdown group. */
  taskId: string;
  sweepEveryMs?: number;
}): () => CallTracker {
  let tracker: CallTracker | undefined;
  return () => {
    if (tracker) return tracker;
    const created = new CallTracker({ emit: options.emit, prices: options.prices });
    const sweep = setInterval(() => created.sweep(), options.sweepEveryMs ?? 5_000);
    sweep.unref();
    options.shutdown.add(options.taskId, () => created.drain(), 0);
    tracker = created;
    return created;
  };
}
