import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { resolveStateDir } from "openclaw/plugin-sdk/state-paths";
import { PLUGIN_ID } from "./identity.ts";
import { registerMessageGate } from "./register.ts";

export default definePluginEntry({
  id: PLUGIN_ID,
  name: "Message gate",
  description:
    "Replies to protected peers go out only while a trusted sender armed the conversation; SQLite ledger.",
  register: (api) => registerMessageGate(api, { stateDir: () => resolveStateDir(process.env) }),
});
