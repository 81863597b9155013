import {
  conversationAccessGranted,
  missingGrantMessage,
} from "@cloudsigma/taas-core/conversation-grant";
import { pricesFromHostConfig } from "@cloudsigma/taas-core/usage-cost";
import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { resolveStateDir } from "openclaw/plugin-sdk/state-paths";
import { PLUGIN_ID, parseLedgerConfig, resolveLedgerPath } from "./config.ts";
import { registerLedgerHooks } from "./hooks.ts";
import { optimizerRouteLookup, prefixed, sharedLedgerWriter } from "./ledger-runtime.ts";
import { CLI_DESCRIPTOR, reportCli } from "./report-command.ts";
import { createReportHandler, REPORT_METHOD } from "./report-method.ts";

export default definePluginEntry({
  id: PLUGIN_ID,
  name: "Usage ledger",
  description: "Per-call model usage, cache and cost in SQLite, with grouped reports.",
  register(api) {
    const config = parseLedgerConfig(api.pluginConfig);
    const dbPath = () => resolveLedgerPath(config.dbPath, resolveStateDir(process.env));
    api.registerCli(reportCli(dbPath), { descriptors: [CLI_DESCRIPTOR] });
    // CLI metadata mode has no runtime and needs nothing else.
    if (api.registrationMode === "cli-metadata") return;
    const routeLookup = (callId: string, sessionId: string | undefined) =>
      optimizerRouteLookup(resolveStateDir(process.env))(callId, sessionId);
    const writer = () => sharedLedgerWriter(dbPath(), config, prefixed(api.logger), routeLookup);
    api.registerGatewayMethod(
      REPORT_METHOD,
      createReportHandler({ dbPath, flush: () => writer().flush() }),
      { scope: "operator.read" },
    );
    if (!config.enabled) return;
    if (api.registrationMode === "full" && !conversationAccessGranted(api.config, PLUGIN_ID)) {
      api.logger.warn(
        missingGrantMessage(
          PLUGIN_ID,
          "rows have no trigger and harnesses without per-call usage are not recorded",
        ),
      );
    }
    registerLedgerHooks(api, {
      config,
      dbPath,
      prices: pricesFromHostConfig(api.config),
      routeLookup,
    });
  },
});
