/**
 * The plugins on either side of the seams in this folder, named once: each seam's module says
 * which of them it links, the plugins take their own id from here, and each manifest's id is
 * checked against it, so a renamed plugin cannot silently leave a seam pointing at nobody.
 */

/** The token-cache optimizer: affinity ids, route capture, the route store, `lastRoute`. */
export const OPTIMIZER_PLUGIN_ID = "openclaw-taas-affinity";

/** The TaaS model provider: applies stream decorators, lists gateway prices. */
export const TAAS_PROVIDER_PLUGIN_ID = "cloudsigma";

/** The usage ledger: reads the route store and the gateway prices when it writes rows. */
export const USAGE_LEDGER_PLUGIN_ID = "usage-ledger";

/** The token audit: reads the route store and the gateway prices when it writes a line. */
export const TOKEN_AUDIT_PLUGIN_ID = "token-audit";
