import { hostname } from "node:os";
import { processSingleton } from "@cloudsigma/taas-core/process-scope";
import { RouteStore } from "@cloudsigma/taas-core/route-store";
import { resolveStateDirFromEnv } from "@cloudsigma/taas-core/state-dir";
import { publishStreamDecorator } from "@cloudsigma/taas-core/stream-decorators";
import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import pkg from "../package.json" with { type: "json" };
import { hostIdentity } from "./affinity-id.ts";
import { CaptureWriter } from "./capture-writer.ts";
import { PLUGIN_ID, parseOptimizerConfig } from "./config.ts";
import { debugSink } from "./debug-log.ts";
import { createLastRouteHandler, LAST_ROUTE_METHOD } from "./last-route-method.ts";
import { RepoHintsCache } from "./repo-hints.ts";
import { createAffinityWrapper } from "./stream-wrapper.ts";
import { processTurnTracker } from "./turn-tracker.ts";

export default definePluginEntry({
  id: PLUGIN_ID,
  name: "CloudSigma TaaS token-cache optimizer",
  description:
    "Affinity metadata and headers for CloudSigma TaaS prompt-cache reuse, with route capture.",
  register(api) {
    // CLI metadata mode has no runtime and needs none of this.
    if (api.registrationMode === "cli-metadata") return;
    const config = parseOptimizerConfig(api.pluginConfig);
    const env = process.env;
    const stateDir = () => api.runtime.state.resolveStateDir(env) || resolveStateDirFromEnv(env);
    const caps = {
      maxSessions: config.captureMaxSessions,
      maxAgents: config.captureMaxAgents,
      maxCalls: config.captureMaxCalls,
    };
    // One store and writer per process and state dir, whatever module instance asks first:
    // the host evaluates this module several times (one instance per registration mode).
    const shared = () =>
      processSingleton(`${PLUGIN_ID}:routes:${stateDir()}`, () => {
        const store = new RouteStore(stateDir());
        return {
          store,
          writer: new CaptureWriter({
            sink: () => store,
            caps,
            warn: (message) => api.logger.warn(`[${PLUGIN_ID}] ${message}`),
          }),
        };
      });
    const wrap = createAffinityWrapper({
      config,
      env,
      stateDir,
      hostId: hostIdentity(hostname()),
      pluginVersion: pkg.version,
      source: PLUGIN_ID,
      tracker: processTurnTracker(),
      repoHints: config.repoHints
        ? new RepoHintsCache({ ttlMs: config.repoHintsTtlMs })
        : undefined,
      writer: () => shared().writer,
      debug: debugSink(api.logger, config.debug || isTruthy(env.OPENCLAW_DEBUG)),
    });

    api.registerProvider({
      id: PLUGIN_ID,
      label: "CloudSigma TaaS affinity hooks",
      auth: [],
      hookAliases: config.providers,
      wrapStreamFn: wrap,
    });
    // For when the TaaS provider plugin owns the provider id (see core/stream-decorators).
    publishStreamDecorator(PLUGIN_ID, wrap);
    api.registerGatewayMethod(
      LAST_ROUTE_METHOD,
      createLastRouteHandler(() => shared().store),
      { scope: "operator.read" },
    );
  },
});

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
