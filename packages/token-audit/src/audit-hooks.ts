import { CallTracker } from "@cloudsigma/taas-core/call-tracker";
import { JsonlLog } from "@cloudsigma/taas-core/jsonl-log";
import { onShutdown, processSingleton, runShutdown } from "@cloudsigma/taas-core/process-scope";
import { oncePerError, trackerHandlers } from "@cloudsigma/taas-core/tracker-hooks";
import type { PriceLookup } from "@cloudsigma/taas-core/usage-cost";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { auditLine } from "./audit-line.ts";
import { type AuditConfig, PLUGIN_ID } from "./config.ts";
import { checkPromptSize } from "./large-prompt.ts";

const SHUTDOWN_PREFIX = `${PLUGIN_ID}:`;

export interface AuditHookDeps {
  config: AuditConfig;
  auditPath: () => string;
  dumpPath: () => string;
  prices: PriceLookup;
}

let instances = 0;

/** One log per file per process, flushed at gateway stop and at exit. */
function sharedLog(path: string, config: AuditConfig, warn: (m: string) => void): JsonlLog {
  const key = `${SHUTDOWN_PREFIX}log:${path}`;
  return processSingleton(key, () => {
    const report = oncePerError(warn);
    const log = new JsonlLog({
      path,
      maxBytes: config.maxFileBytes,
      maxFiles: config.maxFiles,
      onError: (error) => report(`write ${path}`, error),
    });
    onShutdown(key, () => log.flush(), 100);
    return log;
  });
}

/**
 * Per-call audit lines (the same call tracking as the usage ledger: model_call_* for ids and
 * timing, the assistant message write for the call's usage, llm_output for run totals) and
 * the large-prompt check on llm_input. Files are opened on first use, never at register time.
 */
export function registerAuditHooks(api: OpenClawPluginApi, deps: AuditHookDeps): void {
  const instance = ++instances;
  const warn = (message: string) => api.logger.warn(`[${PLUGIN_ID}] ${message}`);
  const { config } = deps;
  let tracker: CallTracker | undefined;
  const started = (): CallTracker => {
    if (tracker) return tracker;
    const created = new CallTracker({
      emit: (record) => sharedLog(deps.auditPath(), config, warn).append(auditLine(record)),
      prices: deps.prices,
    });
    const sweep = setInterval(() => created.sweep(), 5_000);
    sweep.unref();
    onShutdown(`${SHUTDOWN_PREFIX}tracker:${instance}`, () => created.drain(), 0);
    tracker = created;
    return created;
  };
  const onError = oncePerError(warn);
  const handlers = trackerHandlers(started, onError);
  api.on("model_call_started", handlers.model_call_started);
  api.on("model_call_ended", handlers.model_call_ended);
  api.on("before_message_write", handlers.before_message_write);
  api.on("llm_output", handlers.llm_output);
  api.on("agent_end", handlers.agent_end);
  api.on("llm_input", (event, ctx) => {
    handlers.llm_input(event, ctx);
    try {
      checkPromptSize(
        event,
        {
          ...ctx,
          runId: event.runId,
          sessionId: event.sessionId,
          provider: event.provider,
          model: event.model,
        },
        {
          thresholdChars: config.largePromptChars,
          dump: {
            maxItems: config.dumpMaxItems,
            previews: config.dumpPreviews,
            previewChars: config.previewChars,
          },
          warn,
          writeDump: (entry) => sharedLog(deps.dumpPath(), config, warn).append(entry),
          dumpPath: deps.dumpPath,
        },
      );
    } catch (error) {
      onError("llm_input", error);
    }
  });
  api.on("gateway_stop", () => runShutdown(SHUTDOWN_PREFIX));
}
