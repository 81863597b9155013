import { pluginFilePath } from "@cloudsigma/taas-core/plugin-path";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { ClosedGate, closedGuardOf, configFailureMessage } from "./closed-gate.ts";
import { type GateSettings, parseGateSettings } from "./config.ts";
import { type Gate, MessageGate } from "./gate.ts";
import { createGateHooks } from "./hooks.ts";
import { DB_FILE, PLUGIN_ID } from "./identity.ts";
import { gateRuntime, reportOnce } from "./runtime.ts";

/** What the entry hands in from the host: the state dir, resolved the host's way. */
interface GateHost {
  stateDir: () => string;
}

/**
 * The two message hooks over one gate. The hooks are registered whatever the config says: a
 * config the gate cannot use is reported once at error level and gets the closed gate, which
 * cancels every reply to a protected peer, because a plugin that failed to load would let
 * every reply out ungated. The ledger is opened on the first message, never at register time.
 */
export function registerMessageGate(api: OpenClawPluginApi, host: GateHost): void {
  // CLI metadata mode has no runtime and needs no hooks.
  if (api.registrationMode === "cli-metadata") return;
  let settings: GateSettings | undefined;
  try {
    settings = parseGateSettings(api.pluginConfig, (message) =>
      reportOnce(message, (line) => api.logger.warn(line)),
    );
  } catch (error) {
    reportOnce(configFailureMessage(error), (line) => api.logger.error(line));
  }
  const gate = settings
    ? openGate(settings, host)
    : new ClosedGate(closedGuardOf(api.pluginConfig));
  const debug = settings?.debug ?? false;
  const hooks = createGateHooks({ gate: () => gate, logger: api.logger, debug });
  api.on("message_received", (event, ctx) => hooks.onMessageReceived(event, ctx));
  api.on("message_sending", (event, ctx) => hooks.onMessageSending(event, ctx));
}

function openGate(settings: GateSettings, host: GateHost): Gate {
  const runtime = gateRuntime({
    dbPath: () =>
      pluginFilePath({
        stateDir: host.stateDir(),
        pluginId: PLUGIN_ID,
        configured: settings.dbPath,
        defaultName: DB_FILE,
      }),
  });
  return new MessageGate({ settings, store: runtime.store });
}
