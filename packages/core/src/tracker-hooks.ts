import type { CallTracker } from "./call-tracker.ts";
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
export interface TrackerHandlers {
  model_call_started: (event: ModelCallEvent) => void;
  model_call_ended: (event: ModelCallEndedEvent) => void;
  before_message_write: (event: { message?: unknown }, ctx: AssistantWriteContext) => undefined;
  llm_input: (event: { runId?: string; sessionId?: string }, ctx: RunContext) => void;
  llm_output: (event: RunOutputEvent, ctx: RunContext) => void;
  agent_end: (event: RunEndEvent, ctx: RunContext) => void;
}

export function trackerHandlers(
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

/** Rate-limits repeated hook errors to one log line per hook and message. */
export function oncePerError(
  log: (message: string) => void,
): (hook: string, error: unknown) => void {
  const seen = new Set<string>();
  return (hook, error) => {
    const message = error instanceof Error ? error.message : String(error);
    const key = `${hook}\u0000${message}`;
    if (seen.has(key) || seen.size > 100) return;
    seen.add(key);
    log(`${hook} handler failed (the turn is unaffected): ${message}`);
  };
}
