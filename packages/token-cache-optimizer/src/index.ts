import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { resolveStateDir } from "openclaw/plugin-sdk/state-paths";
import { PLUGIN_ID } from "./config.ts";
import { registerOptimizer } from "./register.ts";

// Two seams with other plugins: the TaaS provider plugin applies this plugin's wrapper from
// core's stream-decorator seam; the usage ledger reads this plugin's route store through
// core's read-only route-store seam (this plugin owns its schema and writes).
export default definePluginEntry({
  id: PLUGIN_ID,
  name: "CloudSigma TaaS token-cache optimizer",
  description:
    "Affinity metadata and headers for CloudSigma TaaS prompt-cache reuse, with route capture.",
  register: (api) =>
    registerOptimizer(api, { stateDir: () => resolveStateDir(process.env), env: process.env }),
});
