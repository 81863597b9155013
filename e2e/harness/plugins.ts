import { parseJsonOutput, runOpenClaw } from "./openclaw-cli.ts";
import type { StateDir } from "./state-dir.ts";

/** The parts of `openclaw plugins inspect <id> --runtime --json` the suite's tests check. */
export interface PluginInspection {
  plugin: { id: string; status: string; providerIds: string[] };
  typedHooks: Array<{ name: string }>;
  gatewayMethods: string[];
  cliCommands: unknown[];
  services: unknown[];
  httpRouteCount: number;
  diagnostics: unknown[];
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
