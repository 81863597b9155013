import { pluginFilePath } from "@cloudsigma/taas-core/plugin-path";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { parseGateSettings } from "./config.ts";
import { MessageGate } from "./gate.ts";
import { createGateHooks } from "./hooks.ts";
import { DB_FILE, PLUGIN_ID } from "./identity.ts";
import { gateRuntime } from "./runtime.ts";

/** What the entry hands in from the host: the state dir, resolved the host's way. */
interface GateHost {
  stateDir: () => string;
}

/**
 * The two message hooks over one gate. The config is checked here, so a bad one fails the
 * plugin at load; the ledger is opened on the first message, never at register time.
 */
export function registerMessageGate(api: OpenClawPluginApi, host: GateHost): void {
  // CLI metadata mode has no runtime and needs no hooks.
  if (api.registrationMode === "cli-metadata") return;
  const settings = parseGateSettings(api.pluginConfig);
  const runtime = gateRuntime({
    dbPath: () =>
      pluginFilePath({
        stateDir: host.stateDir(),
        pluginId: PLUGIN_ID,
        configured: settings.dbPath,
        defaultName: DB_FILE,
      }),
  });
  const gate = new MessageGate({ settings, store: runtime.store });
  const hooks = createGateHooks({ gate: () => gate, logger: api.logger, debug: settings.debug });
  api.on("message_received", (event, ctx) => hooks.onMessageReceived(event, ctx));
  api.on("message_sending", (event, ctx) => hooks.onMessageSending(event, ctx));
}
