import { join } from "node:path";
import type { PluginUnderTest } from "./config.ts";
import { REPO_ROOT } from "./openclaw-cli.ts";

/**
 * The suite's own plugins as the host tests load them from their folders, so every test runs
 * the ledger and the optimizer the same way and states only what it changes.
 */

/** The usage ledger: rows flushed every 100 ms (tests read them soon after a turn), allowed to see conversations. */
export function ledgerPlugin(config: Record<string, unknown> = {}): PluginUnderTest {
  return {
    id: "usage-ledger",
    path: join(REPO_ROOT, "packages", "usage-ledger"),
    config: { flushIntervalMs: 100, ...config },
    allowConversationAccess: true,
  };
}

/** The token-cache optimizer (`openclaw-taas-affinity`), with its defaults unless told. */
export function optimizerPlugin(config?: Record<string, unknown>): PluginUnderTest {
  return {
    id: "openclaw-taas-affinity",
    path: join(REPO_ROOT, "packages", "token-cache-optimizer"),
    ...(config ? { config } : {}),
  };
}
