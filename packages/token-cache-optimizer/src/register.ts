import { hostname } from "node:os";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import pkg from "../package.json" with { type: "json" };
import { hostIdentity } from "./affinity-id.ts";
import { boundedLoadSettings, PLUGIN_ID, parseOptimizerConfig } from "./config.ts";
import { debugSink } from "./debug-log.ts";
import { hostPingTransport } from "./keep-warm/host-transport.ts";
import { createLastRouteHandler, LAST_ROUTE_METHOD } from "./last-route-method.ts";
import { RepoHintsCache } from "./repo-hints.ts";
import { optimizerRuntime, publishAffinityDecorator, shutdownOptimizer } from "./runtime.ts";
import { createSetAlgorithmHandler, SET_ALGORITHM_METHOD } from "./set-algorithm-method.ts";
import { createAffinityWrapper } from "./stream-wrapper.ts";

/** What the entry hands in from the host: the state dir (resolved the host's way) and env. */
export interface OptimizerHost {
  stateDir: () => string;
  env: NodeJS.ProcessEnv;
}

/**
 * The affinity wrapper as this plugin's own provider hooks (for providers another plugin does
 * not own; agent runs and the host's standalone completions alike, so no call to TaaS leaves
 * without an identity) and on the stream-decorator seam (for `cloudsigma` when the TaaS
 * provider plugin owns it), plus the lastRoute gateway method over the route store and the
 * setAlgorithm method over the operator's autorouter preferences.
 */
export function registerOptimizer(api: OpenClawPluginApi, host: OptimizerHost): void {
  // CLI metadata mode has no runtime and needs none of this.
  if (api.registrationMode === "cli-metadata") return;
  const config = parseOptimizerConfig(api.pluginConfig);
  const warn = (message: string) => api.logger.warn(`[${PLUGIN_ID}] ${message}`);
  const keepWarm = config.keepWarm;
  const runtime = optimizerRuntime({
    stateDir: host.stateDir,
    caps: {
      maxAffinityIds: config.captureMaxSessions,
      maxAgents: config.captureMaxAgents,
      maxCalls: config.captureMaxCalls,
    },
    warn,
  });
  const shardSettings = boundedLoadSettings(config);
  const wrap = createAffinityWrapper({
    config,
    env: host.env,
    stateDir: host.stateDir,
    idKey: runtime.idKey,
    hostId: () => hostIdentity(runtime.idKey(), hostname()),
    pluginVersion: pkg.version,
    source: PLUGIN_ID,
    tracker: runtime.turnTracker(),
    repoHints: config.repoHints ? new RepoHintsCache({ ttlMs: config.repoHintsTtlMs }) : undefined,
    writer: runtime.captureWriter,
    preferences: runtime.autorouterPreferences(),
    shards: () => runtime.shardBalancer(shardSettings),
    debug: debugSink(api.logger, config.debug || isTruthy(host.env.OPENCLAW_DEBUG)),
    keepWarm: keepWarm?.enabled ? () => runtime.keepWarmPinger(keepWarm) : undefined,
    pingTransport: keepWarm?.enabled
      ? hostPingTransport(() => api.runtime.config.current())
      : undefined,
  });
  // A session that ended or was deleted is never pinged again.
  if (keepWarm?.enabled)
    api.on("session_end", (event) => runtime.keepWarmPinger(keepWarm).endSession(event.sessionId));

  api.registerProvider({
    id: PLUGIN_ID,
    label: "CloudSigma TaaS affinity hooks",
    auth: [],
    hookAliases: config.providers,
    wrapStreamFn: wrap,
    wrapSimpleCompletionStreamFn: wrap,
  });
  const withdraw = publishAffinityDecorator(wrap);
  // Host versions without managed instances omit the lifecycle; then the next registration's
  // publication simply supersedes this one.
  api.lifecycle?.onDispose?.(withdraw);
  api.registerGatewayMethod(
    LAST_ROUTE_METHOD,
    createLastRouteHandler(runtime.routeReader, runtime.idKey),
    {
      scope: "operator.read",
    },
  );
  // A setter: it changes what the gateway asks TaaS for, so it needs the operator's write scope.
  api.registerGatewayMethod(
    SET_ALGORITHM_METHOD,
    createSetAlgorithmHandler(runtime.autorouterPreferences()),
    { scope: "operator.write" },
  );
  api.on("gateway_stop", shutdownOptimizer);
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
