import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { resolveStateDir } from "openclaw/plugin-sdk/state-paths";
import { PLUGIN_ID } from "./config.ts";
import { registerUsageLedger } from "./register.ts";

// Reads the token-cache optimizer's route store through core's read-only route-store seam
// (the optimizer owns its schema and writes); see README "Upstream route".
export default definePluginEntry({
  id: PLUGIN_ID,
  name: "Usage ledger",
  description: "Per-call model usage, cache and cost in SQLite, with grouped reports.",
  register: (api) =>
    registerUsageLedger(api, { stateDir: () => resolveStateDir(process.env), env: process.env }),
});
