import { isAbsolute, join, resolve } from "node:path";

/**
 * Where a plugin keeps a file: the operator's configured path (absolute, or relative to the
 * state dir, so a config stays valid when the state dir moves), else `defaultName` in the
 * plugin's own folder under the state dir (the folder its manifest's backupResources names).
 */
export function pluginFilePath(options: {
  stateDir: string;
  pluginId: string;
  configured: string | undefined;
  defaultName: string;
}): string {
  const configured = options.configured?.trim();
  if (!configured) return join(options.stateDir, options.pluginId, options.defaultName);
  return isAbsolute(configured) ? configured : resolve(options.stateDir, configured);
}
