import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { resolveStateDir } from "openclaw/plugin-sdk/state-paths";
import { PLUGIN_ID } from "./identity.ts";
import { registerTaasProvider } from "./register.ts";

export default definePluginEntry({
  id: PLUGIN_ID,
  name: "CloudSigma TaaS Provider",
  description:
    "CloudSigma TaaS as an OpenClaw model provider: one API key, many OpenAI-compatible model routes, a static catalog and SSRF-safe live discovery.",
  register: (api) =>
    registerTaasProvider(api, { stateDir: () => resolveStateDir(process.env), env: process.env }),
});
