import { join } from "node:path";
import { processSingleton } from "@cloudsigma/taas-core/process-scope";
import { resolveStateDirFromEnv } from "@cloudsigma/taas-core/state-dir";
import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { PLUGIN_ID, parseOrchestratorSettings, STATE_FILE } from "./config.ts";
import { createOrchestratorHooks } from "./hooks.ts";
import { hostSystemEvents } from "./system-events.ts";
import { TrackingStore } from "./tracking-store.ts";

export default definePluginEntry({
  id: PLUGIN_ID,
  name: "Orchestrator",
  description:
    "Keeps main sessions a fast front controller: delegation prompt and policy, tracked subagents, budgeted retries.",
  register(api) {
    // CLI metadata mode has no runtime and needs no hooks.
    if (api.registrationMode === "cli-metadata") return;
    const settings = parseOrchestratorSettings(api.pluginConfig);
    if (settings.enforceMainDelegation && settings.directToolAdditions.length > 0) {
      api.logger.warn(
        `orchestrator: allowed tool lists add non-session tools (${settings.directToolAdditions.join(", ")}); main or orchestrator sessions may run them directly`,
      );
    }
    const dbPath = () =>
      join(
        api.runtime.state.resolveStateDir(process.env) || resolveStateDirFromEnv(process.env),
        PLUGIN_ID,
        STATE_FILE,
      );
    // Opened on first use, once per process and file (and pruned then), by whichever instance asks.
    const store = () =>
      processSingleton(`orchestrator:${dbPath()}`, () => {
        const opened = TrackingStore.open(dbPath());
        opened.prune(Date.now());
        return opened;
      });
    const hooks = createOrchestratorHooks({
      settings,
      store,
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
  },
});
