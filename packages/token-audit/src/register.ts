import { warnIfConversationNotGranted } from "@cloudsigma/taas-core/conversation-grant";
import { pluginFilePath } from "@cloudsigma/taas-core/plugin-path";
import { pricesFromHostConfig } from "@cloudsigma/taas-core/usage/model-prices";
import { oncePerError, registerTrackerHooks } from "@cloudsigma/taas-core/usage/tracker-hooks";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { auditLine } from "./audit-line.ts";
import { PLUGIN_ID, parseAuditConfig } from "./config.ts";
import { checkPromptSize } from "./large-prompt.ts";
import { auditRuntime, shutdownAudit } from "./runtime.ts";

/** What the entry hands in from the host: the state dir, resolved the host's way. */
export interface AuditHost {
  stateDir: () => string;
}

type LlmInput = Parameters<typeof checkPromptSize>[0] & {
  runId?: string;
  sessionId?: string;
  provider?: string;
  model?: string;
};

/**
 * Per-call audit lines (the same call tracking as the usage ledger) and the large-prompt check
 * on llm_input. Files are opened on first use, never at register time.
 */
export function registerTokenAudit(api: OpenClawPluginApi, host: AuditHost): void {
  // Nothing to offer in CLI metadata mode (no runtime, no commands).
  if (api.registrationMode === "cli-metadata") return;
  const config = parseAuditConfig(api.pluginConfig);
  if (!config.enabled) return;
  warnIfConversationNotGranted(
    api,
    PLUGIN_ID,
    "large prompts are not checked and harnesses without per-call usage are not logged",
  );
  const file = (configured: string | undefined, defaultName: string) => () =>
    pluginFilePath({ stateDir: host.stateDir(), pluginId: PLUGIN_ID, configured, defaultName });
  const auditPath = file(config.file, "usage.jsonl");
  const dumpPath = file(config.dumpFile, "large-prompts.jsonl");
  const warn = (message: string) => api.logger.warn(`[${PLUGIN_ID}] ${message}`);
  const onError = oncePerError(warn);
  const runtime = auditRuntime({
    config,
    warn,
    stateDir: host.stateDir,
    prices: pricesFromHostConfig(() => api.runtime.config.current(), warn, api.config),
    auditLine,
    auditPath,
  });
  registerTrackerHooks(api, { tracker: runtime.tracker, onError, stop: shutdownAudit });
  api.on("llm_input", (event: LlmInput, ctx) => {
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
          writeDump: (entry) => runtime.log(dumpPath()).append(entry),
          dumpPath,
        },
      );
    } catch (error) {
      onError("llm_input", error);
    }
  });
}
