import {
  conversationAccessGranted,
  missingGrantMessage,
} from "@cloudsigma/taas-core/conversation-grant";
import { pricesFromHostConfig } from "@cloudsigma/taas-core/usage-cost";
import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { resolveStateDir } from "openclaw/plugin-sdk/state-paths";
import { registerAuditHooks } from "./audit-hooks.ts";
import { PLUGIN_ID, parseAuditConfig, resolveAuditPath } from "./config.ts";

export default definePluginEntry({
  id: PLUGIN_ID,
  name: "Token audit",
  description: "Per-call token usage in JSON Lines and large-prompt warnings with a breakdown.",
  register(api) {
    // Nothing to offer in CLI metadata mode (no runtime, no commands).
    if (api.registrationMode === "cli-metadata") return;
    const config = parseAuditConfig(api.pluginConfig);
    if (!config.enabled) return;
    const stateDir = () => resolveStateDir(process.env);
    if (api.registrationMode === "full" && !conversationAccessGranted(api.config, PLUGIN_ID)) {
      api.logger.warn(
        missingGrantMessage(
          PLUGIN_ID,
          "large prompts are not checked and harnesses without per-call usage are not logged",
        ),
      );
    }
    registerAuditHooks(api, {
      config,
      auditPath: () => resolveAuditPath(config.file, stateDir(), "usage.jsonl"),
      dumpPath: () => resolveAuditPath(config.dumpFile, stateDir(), "large-prompts.jsonl"),
      prices: pricesFromHostConfig(api.config),
    });
  },
});
