import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { resolveStateDir } from "openclaw/plugin-sdk/state-paths";
import { PLUGIN_ID } from "./config.ts";
import { registerTokenAudit } from "./register.ts";

export default definePluginEntry({
  id: PLUGIN_ID,
  name: "Token audit",
  description: "Per-call token usage in JSON Lines and large-prompt warnings with a breakdown.",
  register: (api) => registerTokenAudit(api, { stateDir: () => resolveStateDir(process.env) }),
});
