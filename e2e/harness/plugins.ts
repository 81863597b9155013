import { parseJsonOutput, runOpenClaw } from "./openclaw-cli.ts";
import type { StateDir } from "./state-dir.ts";

/** The parts of `openclaw plugins inspect <id> --runtime --json` the suite's tests check. */
export interface PluginInspection {
  plugin: {
    id: string;
    status: string;
    providerIds: string[];
    /** The folder the host loaded it from, and where that folder came from (`global`: an extensions root). */
    rootDir?: string;
    origin?: string;
    version?: string;
  };
  typedHooks: Array<{ name: string }>;
  gatewayMethods: string[];
  cliCommands: unknown[];
  services: unknown[];
  httpRouteCount: number;
  diagnostics: unknown[];
  /** The install record (`plugins install`); absent for a folder the host only discovered. */
  install?: { source: string; installPath?: string; version?: string };
}

/** Loads the plugin for real (the host's loader and acceptance gates) and reports what it registered. */
export async function inspectPlugin(state: StateDir, pluginId: string): Promise<PluginInspection> {
  const result = await runOpenClaw(state, ["plugins", "inspect", pluginId, "--runtime", "--json"], {
    logName: `inspect-${pluginId}`,
  });
  return parseJsonOutput<PluginInspection>(result, `plugins inspect ${pluginId}`);
}

export const hookNames = (inspection: PluginInspection): string[] =>
  inspection.typedHooks.map((hook) => hook.name).sort();

/**
 * `openclaw plugins inspect --all --runtime --json`: the same report as `inspectPlugin` for every
 * plugin the host discovers, from one host process (one load instead of one per plugin).
 */
export async function inspectAllPlugins(state: StateDir): Promise<PluginInspection[]> {
  const result = await runOpenClaw(state, ["plugins", "inspect", "--all", "--runtime", "--json"], {
    logName: "inspect-all",
  });
  return parseJsonOutput<PluginInspection[]>(result, "plugins inspect --all --runtime");
}
