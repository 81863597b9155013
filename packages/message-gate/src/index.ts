import { processSingleton } from "@cloudsigma/taas-core/process-scope";
import { resolveStateDirFromEnv } from "@cloudsigma/taas-core/state-dir";
import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { PLUGIN_ID, parseGateSettings } from "./config.ts";
import { resolveGateDbPath } from "./db-path.ts";
import { MessageGate } from "./gate.ts";
import { GateStore } from "./gate-store.ts";
import { createGateHooks } from "./hooks.ts";

export default definePluginEntry({
  id: PLUGIN_ID,
  name: "Message gate",
  description:
    "Replies to protected peers go out only while a trusted sender armed the conversation; SQLite ledger.",
  register(api) {
    // CLI metadata mode has no runtime and needs no hooks.
    if (api.registrationMode === "cli-metadata") return;
    const settings = parseGateSettings(api.pluginConfig);
    const dbPath = () =>
      resolveGateDbPath(
        api.runtime.state.resolveStateDir(process.env) || resolveStateDirFromEnv(process.env),
        settings.dbPath,
      );
    // Opened on first use, once per process and file, whichever module instance asks first.
    const store = () =>
      processSingleton(`message-gate:${dbPath()}`, () => GateStore.open(dbPath()));
    const gate = new MessageGate({ settings, store });
    const hooks = createGateHooks({ gate: () => gate, logger: api.logger, debug: settings.debug });
    api.on("message_received", (event, ctx) => hooks.onMessageReceived(event, ctx));
    api.on("message_sending", (event, ctx) => hooks.onMessageSending(event, ctx));
  },
});
