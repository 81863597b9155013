import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StateDir } from "./state-dir.ts";

export interface ProviderModel {
  id: string;
  name?: string;
  contextWindow?: number;
  maxTokens?: number;
  input?: Array<"text" | "image">;
  reasoning?: boolean;
  /** USD per million tokens, as an operator sets it; a kind left out has no price (unknown). */
  cost?: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number };
  compat?: Record<string, unknown>;
}

export interface PluginUnderTest {
  id: string;
  /** Absolute path of the plugin folder (holds openclaw.plugin.json and package.json). */
  path: string;
  config?: Record<string, unknown>;
  /** Grants conversation hooks (llm_input, llm_output, agent_end, before_*) to a non-bundled plugin. */
  allowConversationAccess?: boolean;
  /** Default true; false keeps the plugin listed (and allowed) but off, for A/B runs. */
  enabled?: boolean;
}

/** One `agents.entries.<id>` override (the host's per-agent config, keyed by agent id). */
export interface AgentEntry {
  id: string;
  workspace?: string;
  /** `provider/model`; strict (no fallback) as the host treats a string model. */
  model?: string;
}

export interface HostConfigOptions {
  /** Base URL of the emulator, e.g. http://127.0.0.1:PORT/v1. */
  baseUrl: string;
  apiKey?: string;
  models: ProviderModel[];
  /** Default `cloudsigma/<first model>`. */
  primaryModel?: string;
  /** Also configure `cloudsigma-staging` at the same base URL (default true). */
  staging?: boolean;
  /**
   * Configure the `cloudsigma` provider in `models.providers` (default true). Turn off when a
   * provider plugin owns it.
   */
  configureProvider?: boolean;
  /** Extra providers (e.g. a non-cloudsigma one for "left untouched" checks). */
  extraProviders?: Record<string, Record<string, unknown>>;
  plugins?: PluginUnderTest[];
  /**
   * List the plugins under test in `plugins.allow` (default true). Without it the host warns
   * that it cannot verify where a path-loaded plugin came from; with it, bundled plugins that
   * are not listed stay unloaded (a smaller, faster host).
   */
  allowList?: boolean;
  agents?: AgentEntry[];
  gateway?: { port: number; token: string };
  /** Serve the gateway's OpenAI-compatible `/v1/chat/completions` (the bench drives turns through it). */
  chatCompletions?: boolean;
  /** Merged last, shallowly per top-level key. */
  extra?: Record<string, unknown>;
}

export const DEFAULT_GATEWAY_TOKEN = "suite-gateway-token";

export function buildHostConfig(
  state: StateDir,
  options: HostConfigOptions,
): Record<string, unknown> {
  const first = options.models[0];
  if (!first) throw new Error("buildHostConfig: at least one model is required");
  const provider = (baseUrl: string) => ({
    baseUrl,
    api: "openai-completions",
    apiKey: options.apiKey ?? "taas-emulator-key",
    models: options.models.map((model) => ({ name: model.id, input: ["text"], ...model })),
  });
  const providers: Record<string, unknown> = { ...options.extraProviders };
  if (options.configureProvider !== false) {
    providers.cloudsigma = provider(options.baseUrl);
    if (options.staging !== false) providers["cloudsigma-staging"] = provider(options.baseUrl);
  }
  const plugins = options.plugins ?? [];
  const config: Record<string, unknown> = {
    models: { providers },
    agents: {
      defaults: { model: { primary: options.primaryModel ?? `cloudsigma/${first.id}` } },
      ...(options.agents
        ? { entries: Object.fromEntries(options.agents.map(({ id, ...entry }) => [id, entry])) }
        : {}),
    },
    gateway: {
      mode: "local",
      bind: "loopback",
      ...(options.gateway ? { port: options.gateway.port } : {}),
      auth: { mode: "token", token: options.gateway?.token ?? DEFAULT_GATEWAY_TOKEN },
      ...(options.chatCompletions
        ? { http: { endpoints: { chatCompletions: { enabled: true } } } }
        : {}),
    },
    // The host's default log file is shared per day in the system temp dir: keep ours apart.
    logging: { file: join(state.logs, "openclaw-host.log") },
  };
  if (plugins.length > 0) {
    config.plugins = {
      ...(options.allowList !== false ? { allow: plugins.map((plugin) => plugin.id) } : {}),
      load: { paths: plugins.map((plugin) => plugin.path) },
      entries: Object.fromEntries(
        plugins.map((plugin) => [
          plugin.id,
          {
            enabled: plugin.enabled !== false,
            ...(plugin.config ? { config: plugin.config } : {}),
            ...(plugin.allowConversationAccess ? { hooks: { allowConversationAccess: true } } : {}),
          },
        ]),
      ),
    };
  }
  return { ...config, ...options.extra };
}

export async function writeHostConfig(
  state: StateDir,
  options: HostConfigOptions,
): Promise<string> {
  const path = join(state.dir, "openclaw.json");
  await writeFile(path, `${JSON.stringify(buildHostConfig(state, options), null, 2)}\n`, {
    mode: 0o600,
  });
  return path;
}
