import { type RunningEmulator, type StartOptions, startEmulator } from "@cloudsigma/taas-emulator";
import { type HostConfigOptions, type ProviderModel, writeHostConfig } from "./config.ts";
import { providerModels } from "./emulator-models.ts";
import { freePort, type RunningGateway, startGateway } from "./gateway.ts";
import { reapStateDirProcesses } from "./processes.ts";
import { createStateDir, type StateDir } from "./state-dir.ts";

export interface StartedHost {
  gateway?: RunningGateway | undefined;
  emulator?: { close(): Promise<void> } | undefined;
  state?: StateDir | undefined;
}

/** The host config of `startHost`: the emulator's URL and the gateway's port are filled in. */
export type HostConfigInput = Omit<HostConfigOptions, "baseUrl" | "models" | "gateway"> & {
  /** Default: the emulator's URL. */
  baseUrl?: string;
  /** Default: the emulator's seed catalog (`providerModels()`). */
  models?: ProviderModel[];
};

export interface StartHostOptions {
  /** Names the temp state dir (`ocsuite-<name>-…`), so a kept run's logs are easy to find. */
  name: string;
  /**
   * The emulator's options. Without a `profile` the e2e files get `legacy`, the rules they were
   * written against; a file that names `documented` gets the service as its sources describe it.
   */
  emulator?: StartOptions;
  /**
   * The host config. A function when it needs a path in the state dir or the emulator's URL;
   * it runs after both exist and before the gateway starts.
   */
  config?:
    | HostConfigInput
    | ((started: {
        state: StateDir;
        emulator: RunningEmulator;
      }) => HostConfigInput | Promise<HostConfigInput>);
  /**
   * A gateway on a free port with this token, written into the config. Started unless
   * `start: false` (a test that starts and stops its own calls `host.startGateway()`). `env`
   * is added to the gateway's environment, e.g. a provider key an operator would export.
   */
  gateway?: {
    token: string;
    start?: boolean;
    env?: Record<string, string | undefined>;
    /** How long to wait for the ready line (default 90 s). */
    readyTimeoutMs?: number;
  };
}

export interface Host extends StartedHost {
  readonly state: StateDir;
  readonly emulator: RunningEmulator;
  /** The running gateway, if any; a test that kills it sets this to undefined. */
  gateway: RunningGateway | undefined;
  /** Starts the gateway on the configured port and token (again, after a stop or a kill). */
  startGateway(): Promise<RunningGateway>;
}

/**
 * The common start-up of an e2e file: a state dir, the emulator, the host config and, when asked,
 * a gateway. What it returns is what `tearDownHost` takes. If a step fails, what was started is
 * torn down before the error is rethrown: a failed beforeAll leaves no host for afterAll to stop.
 */
export async function startHost(options: StartHostOptions): Promise<Host> {
  const started: StartedHost = {};
  try {
    const state = await createStateDir(options.name);
    started.state = state;
    const emulator = await startEmulator({
      ...options.emulator,
      profile: options.emulator?.profile ?? "legacy",
    });
    started.emulator = emulator;
    const gateway = options.gateway
      ? {
          port: await freePort(),
          token: options.gateway.token,
          env: options.gateway.env,
          readyTimeoutMs: options.gateway.readyTimeoutMs,
        }
      : undefined;
    const config =
      typeof options.config === "function"
        ? await options.config({ state, emulator })
        : (options.config ?? {});
    await writeHostConfig(state, {
      ...config,
      baseUrl: config.baseUrl ?? emulator.url,
      models: config.models ?? providerModels(),
      ...(gateway ? { gateway: { port: gateway.port, token: gateway.token } } : {}),
    });
    const host: Host = {
      state,
      emulator,
      gateway: undefined,
      startGateway: async () => {
        if (!gateway) throw new Error(`startHost(${options.name}) was not given a gateway`);
        host.gateway = await startGateway(state, gateway);
        return host.gateway;
      },
    };
    if (options.gateway && options.gateway.start !== false) await host.startGateway();
    return host;
  } catch (error) {
    await tearDownHost(started).catch(() => undefined);
    throw error;
  }
}

/**
 * Stops what a test file started: the gateway by its process group, then anything else still
 * running on the state dir (a CLI child a failed test left), then the emulator, then the temp
 * dir. Every step runs even when an earlier one fails, so one failure never leaves the rest
 * behind; the failures are reported together. `undefined` (a beforeAll that failed before it
 * assigned the host) is nothing to stop.
 */
export async function tearDownHost(started: StartedHost | undefined): Promise<void> {
  const { gateway, emulator, state } = started ?? {};
  const steps: Array<() => Promise<unknown>> = [
    async () => gateway?.stop(),
    async () => (state ? reapStateDirProcesses(state.dir, 1_000) : undefined),
    async () => emulator?.close(),
    async () => state?.remove(),
  ];
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, "tearing down the test host failed");
}
