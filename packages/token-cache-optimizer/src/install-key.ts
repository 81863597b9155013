import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PLUGIN_ID } from "./config.ts";

/**
 * The install's secret key for affinity and host ids. Unkeyed, an id like `oc:<hash of the
 * workspace path>` could be reversed by hashing likely paths; keyed with a secret that never
 * leaves this machine it cannot. The key is created once per state dir (0600, in the plugin's
 * folder, which the manifest's backupResources covers), so the same workspace keeps the same
 * id across gateway restarts; a new install (a new state dir) gets new ids.
 */
export const installKeyPath = (stateDir: string): string =>
  join(stateDir, PLUGIN_ID, "install-key");

const KEY_FORMAT = /^[0-9a-f]{64}$/;

export type InstallKey =
  | { key: string; stable: true }
  | { key: string; stable: false; why: string };

/**
 * Reads the key, creating it on first use. If the state dir cannot hold it, a key for this
 * process only is returned (ids then change on restart), with the reason, so the caller can
 * say so once; nothing here throws.
 */
export function loadInstallKey(stateDir: string): InstallKey {
  const path = installKeyPath(stateDir);
  try {
    const existing = readKey(path);
    if (existing) return { key: existing, stable: true };
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const created = randomBytes(32).toString("hex");
    try {
      writeFileSync(path, `${created}\n`, { mode: 0o600, flag: "wx" });
      return { key: created, stable: true };
    } catch (error) {
      // Another process created it first: use theirs, so every process agrees.
      const raced = (error as NodeJS.ErrnoException).code === "EEXIST" ? readKey(path) : undefined;
      if (raced) return { key: raced, stable: true };
      throw error;
    }
  } catch (error) {
    const why = error instanceof Error ? error.message.slice(0, 200) : String(error);
    return { key: randomBytes(32).toString("hex"), stable: false, why };
  }
}

function readKey(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (!KEY_FORMAT.test(text)) throw new Error(`${path} does not hold a 64-hex-digit key`);
  return text;
}
