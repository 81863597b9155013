import { ConfigError } from "@cloudsigma/taas-core/config";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { pluginFilePath } from "@cloudsigma/taas-core/plugin-path";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { type OrchestratorSettings, parseOrchestratorSettings } from "./config.ts";
import { createOrchestratorHooks } from "./hooks.ts";
import { PLUGIN_ID, STATE_FILE } from "./identity.ts";
import { orchestratorRuntime } from "./runtime.ts";
import { hostSystemEvents } from "./system-events.ts";
import { injectedLine } from "./task-text.ts";

/** What the entry hands in from the host: the state dir, resolved the host's way. */
interface OrchestratorHost {
  stateDir: () => string;
}

/**
 * The orchestrator's six hooks. A config the parser refuses is reported and replaced by the
 * defaults (delegation enforced): dropping the plugin instead would silently lift its policy.
 * The state file is opened on the first hook that needs it, never at register time.
 */
export function registerOrchestrator(api: OpenClawPluginApi, host: OrchestratorHost): void {
  // CLI metadata mode has no runtime and needs no hooks.
  if (api.registrationMode === "cli-metadata") return;
  const settings = settingsOrDefaults(api);
  if (settings.enforceMainDelegation && settings.directToolAdditions.length > 0) {
    const named = settings.directToolAdditions.slice(0, 10).map((name) => injectedLine(name, 100));
    const more = settings.directToolAdditions.length - named.length;
    api.logger.warn(
      `orchestrator: allowed tool lists add non-session tools (${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}); main or orchestrator sessions may run them directly`,
    );
  }
  const runtime = orchestratorRuntime({
    dbPath: () =>
      pluginFilePath({
        stateDir: host.stateDir(),
        pluginId: PLUGIN_ID,
        configured: undefined,
        defaultName: STATE_FILE,
      }),
    now: Date.now,
    stateTtlMs: settings.stateTtlMs,
  });
  const hooks = createOrchestratorHooks({
    settings,
    store: runtime.store,
    now: Date.now,
    logger: api.logger,
    system: hostSystemEvents(() => api.runtime.system),
  });
  api.on("before_prompt_build", (event, ctx) => hooks.beforePromptBuild(event, ctx));
  api.on("before_tool_call", (event, ctx) => hooks.beforeToolCall(event, ctx));
  api.on("after_tool_call", (event, ctx) => hooks.afterToolCall(event, ctx));
  api.on("subagent_spawned", (event, ctx) => hooks.subagentSpawned(event, ctx));
  api.on("subagent_ended", (event) => hooks.subagentEnded(event));
  api.on("session_end", (event) => hooks.sessionEnd(event));
}

function settingsOrDefaults(api: OpenClawPluginApi): OrchestratorSettings {
  try {
    return parseOrchestratorSettings(api.pluginConfig);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    api.logger.error(
      `${errorText(error, 300)}; running with the default settings (main-session delegation enforced) until the config is fixed`,
    );
    return parseOrchestratorSettings(undefined);
  }
}
