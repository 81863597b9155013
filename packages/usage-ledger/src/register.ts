import { GatewayPriceReader } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { warnIfConversationNotGranted } from "@cloudsigma/taas-core/conversation-grant";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { pluginFilePath } from "@cloudsigma/taas-core/plugin-path";
import { layeredPrices, pricesFromHostConfig } from "@cloudsigma/taas-core/usage/model-prices";
import { oncePerError, registerTrackerHooks } from "@cloudsigma/taas-core/usage/tracker-hooks";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { geometryLookup, geometryResolver } from "./cache/geometry.ts";
import { PLUGIN_ID, parseLedgerConfig } from "./config.ts";
import { KEEP_WARM_METHOD } from "./keep-warm/advice-types.ts";
import { addAdviseCommand } from "./keep-warm/command.ts";
import { createKeepWarmHandler } from "./keep-warm/method.ts";
import { METRICS_PATH, metricsHandler } from "./metrics/route.ts";
import { resolvePgTarget } from "./postgres/target.ts";
import { CLI_DESCRIPTOR, reportCli } from "./report/command.ts";
import { createReportHandler, REPORT_METHOD } from "./report/method.ts";
import { addRepriceCommand } from "./reprice/command.ts";
import { ledgerRuntime, probedGeometry, shutdownLedger } from "./runtime.ts";
import type { WriterLogger } from "./store/writer.ts";
import { registerTodayWidget } from "./widget-descriptor.ts";

/** What the entry hands in from the host: the state dir, resolved the host's way. */
export interface LedgerHost {
  stateDir: () => string;
  /** The gateway's environment, where `postgres.urlEnv` and PGPASSWORD are read. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The CLI report in every mode; in the others the report gateway method, the metrics route
 * and (when enabled) the call-tracking hooks. Nothing is opened at register time: the tracker, its sweep and the
 * database writer start with the first event or report.
 */
export function registerUsageLedger(api: OpenClawPluginApi, host: LedgerHost): void {
  const config = parseLedgerConfig(api.pluginConfig);
  const dbPath = () =>
    pluginFilePath({
      stateDir: host.stateDir(),
      pluginId: PLUGIN_ID,
      configured: config.dbPath,
      defaultName: "ledger.sqlite",
    });
  const central = config.postgres;
  const centralTarget = () => (central ? resolvePgTarget(central, host.env ?? {}) : undefined);
  const listing = () => new GatewayPriceReader(host.stateDir(), { warn: api.logger.warn }).lookup;
  api.registerCli(
    reportCli(
      dbPath,
      centralTarget,
      (root, { config: loaded }) => {
        // The CLI runs outside the gateway: the config as this command loaded it is current.
        const configPrices = () => pricesFromHostConfig(() => loaded, api.logger.warn);
        addRepriceCommand(root, dbPath, () => ({ config: configPrices(), listing: listing() }));
        // The advisor prices pings as a row is priced (the config first, then the listing) and
        // takes each model's lifetime from the geometry its rows are accounted with.
        addAdviseCommand(root, dbPath, () => ({
          geometry: geometryLookup(
            config,
            probedGeometry(host.stateDir, () => loaded),
          ),
          prices: layeredPrices(configPrices(), listing()),
        }));
      },
      ({ config: loaded }) =>
        geometryResolver(
          config,
          probedGeometry(host.stateDir, () => loaded),
        ),
    ),
    { descriptors: [CLI_DESCRIPTOR] },
  );
  // CLI metadata mode has no runtime and needs nothing else.
  if (api.registrationMode === "cli-metadata") return;
  const logger = prefixed(api.logger, config.debug);
  const runtime = ledgerRuntime({
    dbPath,
    stateDir: host.stateDir,
    config,
    logger,
    gist: {
      configuredWorkspace: () => api.config?.agents?.defaults?.workspace,
      env: host.env ?? {},
    },
    prices: pricesFromHostConfig(() => api.runtime.config.current(), logger.warn, api.config),
    hostConfig: () => api.runtime.config.current(),
  });
  api.registerGatewayMethod(
    REPORT_METHOD,
    createReportHandler({
      dbPath,
      flush: () => runtime.writer().flush(),
      geometry: () =>
        geometryResolver(
          config,
          probedGeometry(host.stateDir, () => api.runtime.config.current()),
        ),
    }),
    { scope: "operator.read" },
  );
  api.registerGatewayMethod(
    KEEP_WARM_METHOD,
    createKeepWarmHandler({
      dbPath,
      lookups: () => ({ geometry: runtime.geometry, prices: runtime.prices }),
      flush: () => runtime.writer().flush(),
    }),
    { scope: "operator.read" },
  );
  // Prometheus scrapes with the gateway token (see README "Prometheus metrics").
  api.registerHttpRoute({
    path: METRICS_PATH,
    auth: "gateway",
    match: "exact",
    handler: metricsHandler({ dbPath, warn: logger.warn }),
  });
  if (central) {
    // Forwarding runs in the gateway only (not in CLI or --local runs): it starts with it.
    api.on("gateway_start", () => {
      try {
        runtime.startForwarder(resolvePgTarget(central, host.env ?? {}));
      } catch (error) {
        logger.error(`central ledger not started: ${errorText(error)}`);
      }
    });
  }
  registerTodayWidget(api);
  if (!config.enabled) return;
  // The writer starts with the gateway: an original usage-ledger file's history is imported
  // then, not on the first turn's path.
  api.on("gateway_start", () => {
    try {
      runtime.writer();
      runtime.startKeepWarmAdvice();
    } catch (error) {
      logger.error(`ledger writer not started: ${errorText(error)}`);
    }
  });
  warnIfConversationNotGranted(
    api,
    PLUGIN_ID,
    "rows have no trigger and harnesses without per-call usage are not recorded",
  );
  runtime.recordKeepWarmPings();
  registerTrackerHooks(api, {
    tracker: runtime.tracker,
    onError: oncePerError(logger.warn),
    stop: shutdownLedger,
  });
}

/** Plugin-prefixed logger lines; `debug` (config) adds the debug lines, at info level. */
function prefixed(
  logger: { info(m: string): void; warn(m: string): void; error(m: string): void },
  debug: boolean,
): WriterLogger & { info(message: string): void } {
  const info = (message: string) => logger.info(`[${PLUGIN_ID}] ${message}`);
  return {
    info,
    warn: (message) => logger.warn(`[${PLUGIN_ID}] ${message}`),
    error: (message) => logger.error(`[${PLUGIN_ID}] ${message}`),
    ...(debug ? { debug: info } : {}),
  };
}
