import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { resolveStateDir } from "openclaw/plugin-sdk/state-paths";
import { PLUGIN_ID } from "./identity.ts";
import { registerOrchestrator } from "./register.ts";

export default definePluginEntry({
  id: PLUGIN_ID,
  name: "Orchestrator",
  description:
    "Keeps main sessions a fast front controller: delegation prompt and policy, tracked subagents, budgeted retries.",
  register: (api) => registerOrchestrator(api, { stateDir: () => resolveStateDir(process.env) }),
});
