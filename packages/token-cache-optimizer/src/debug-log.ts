import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { PLUGIN_ID } from "./config.ts";

/**
 * Debug lines go through the plugin logger at info level: an operator who turned debug on
 * (config `debug` or OPENCLAW_DEBUG) wants to see them without also raising the host's level.
 * Undefined when off, so the hot path pays one optional-chaining check.
 */
export function debugSink(
  logger: OpenClawPluginApi["logger"],
  enabled: boolean,
): ((message: string) => void) | undefined {
  if (!enabled) return undefined;
  return (message) => logger.info(`[${PLUGIN_ID}] debug: ${message}`);
}
