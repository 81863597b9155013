import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";

type Handler = (event: unknown, ctx: unknown) => unknown;
type GatewayHandler = Parameters<OpenClawPluginApi["registerGatewayMethod"]>[1];
type CliRegistrar = Parameters<OpenClawPluginApi["registerCli"]>[0];
type ProviderPlugin = Parameters<OpenClawPluginApi["registerProvider"]>[0];
type HttpRoute = Parameters<OpenClawPluginApi["registerHttpRoute"]>[0];
type Service = Parameters<OpenClawPluginApi["registerService"]>[0];
type ControlUiDescriptor = Parameters<
  OpenClawPluginApi["session"]["controls"]["registerControlUiDescriptor"]
>[0];

export interface FakeApi {
  api: OpenClawPluginApi;
  hooks: Map<string, Handler[]>;
  methods: Map<string, { handler: GatewayHandler; scope: string | undefined }>;
  clis: Array<{ registrar: CliRegistrar; names: string[] }>;
  providers: ProviderPlugin[];
  httpRoutes: HttpRoute[];
  services: Service[];
  /** Control UI descriptors (tabs, dashboard widgets) the plugin advertised. */
  controlUi: ControlUiDescriptor[];
  logs: string[];
  /**
   * Replaces the config `runtime.config.current()` answers, as the host's hot reload does
   * after `openclaw config set`; `api.config` keeps the config the instance was registered with.
   */
  setCurrentConfig(config: Record<string, unknown>): void;
  /** Runs the instance's dispose callbacks, newest first, as the host does on a reload. */
  dispose(): void;
  /** Calls every handler registered for `hook`, as the host would. */
  fire(hook: string, event: unknown, ctx?: unknown): void;
  /** Calls a gateway method and resolves with what it responded. */
  call(
    method: string,
    params: Record<string, unknown>,
  ): Promise<{ ok: boolean; payload: unknown; error: unknown }>;
}

/**
 * Shared by the plugins' registration tests (one copy, not one per package).
 * A hand-made partial of the host's plugin API (the SDK's own test helpers are not exported
 * to external plugins): it records registrations and lets a test fire hooks and call methods.
 * `runtime` throws in cli-metadata mode, as the host's does; elsewhere it holds only
 * `config.current()`.
 */
export function fakeApi(options: {
  mode: OpenClawPluginApi["registrationMode"];
  id: string;
  pluginConfig?: Record<string, unknown>;
  config?: Record<string, unknown>;
}): FakeApi {
  const hooks = new Map<string, Handler[]>();
  const methods: FakeApi["methods"] = new Map();
  const clis: FakeApi["clis"] = [];
  const providers: ProviderPlugin[] = [];
  const httpRoutes: HttpRoute[] = [];
  const services: Service[] = [];
  let currentConfig: Record<string, unknown> = options.config ?? {};
  const controlUi: ControlUiDescriptor[] = [];
  const disposers: Array<() => void> = [];
  const logs: string[] = [];
  const partial = {
    id: options.id,
    name: options.id,
    source: "test",
    registrationMode: options.mode,
    config: options.config ?? {},
    pluginConfig: options.pluginConfig,
    logger: {
      info: (m: string) => logs.push(`info: ${m}`),
      warn: (m: string) => logs.push(`warn: ${m}`),
      error: (m: string) => logs.push(`error: ${m}`),
      debug: (m: string) => logs.push(`debug: ${m}`),
    },
    get runtime() {
      if (options.mode === "cli-metadata") {
        throw new Error(`runtime is unavailable in ${options.mode} registration`);
      }
      return { config: { current: () => currentConfig } };
    },
    on: (hook: string, handler: Handler) => {
      hooks.set(hook, [...(hooks.get(hook) ?? []), handler]);
    },
    registerGatewayMethod: (method: string, handler: GatewayHandler, opts?: { scope?: string }) => {
      methods.set(method, { handler, scope: opts?.scope });
    },
    registerCli: (registrar: CliRegistrar, opts?: { descriptors?: Array<{ name: string }> }) => {
      clis.push({ registrar, names: (opts?.descriptors ?? []).map((d) => d.name) });
    },
    registerProvider: (provider: ProviderPlugin) => {
      providers.push(provider);
    },
    registerHttpRoute: (route: HttpRoute) => {
      httpRoutes.push(route);
    },
    registerService: (service: Service) => {
      services.push(service);
    },
    session: {
      controls: {
        registerControlUiDescriptor: (descriptor: ControlUiDescriptor) => {
          controlUi.push(descriptor);
        },
      },
    },
    lifecycle: {
      onDispose: (dispose: () => void) => {
        disposers.push(dispose);
        return () => {
          const at = disposers.indexOf(dispose);
          if (at >= 0) disposers.splice(at, 1);
        };
      },
    },
  };
  const api = partial as unknown as OpenClawPluginApi;
  return {
    api,
    hooks,
    methods,
    clis,
    providers,
    httpRoutes,
    services,
    controlUi,
    logs,
    setCurrentConfig(config) {
      currentConfig = config;
    },
    dispose() {
      for (const dispose of disposers.splice(0).reverse()) dispose();
    },
    fire(hook, event, ctx = {}) {
      for (const handler of hooks.get(hook) ?? []) handler(event, ctx);
    },
    async call(method, params) {
      const entry = methods.get(method);
      if (!entry) throw new Error(`no gateway method ${method}`);
      return new Promise((resolve) => {
        const respond = (ok: boolean, payload?: unknown, error?: unknown) =>
          resolve({ ok, payload, error });
        void entry.handler({ params, respond } as unknown as Parameters<GatewayHandler>[0]);
      });
    },
  };
}
