import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ChangedFile } from "../changed-file.ts";
import { refusedPriceWarner } from "../price-ceiling.ts";
import { isRecord } from "../records.ts";
import { type ModelPrices, type PriceLookup, readModelPrices } from "../usage/model-prices.ts";
import {
  TAAS_PROVIDER_PLUGIN_ID,
  TOKEN_AUDIT_PLUGIN_ID,
  USAGE_LEDGER_PLUGIN_ID,
} from "./plugin-ids.ts";

/**
 * The gateway-prices seam. The TaaS provider plugin (`cloudsigma`) owns it: every read of
 * TaaS's `/models` listing it makes (the host's catalog build, onboarding, its own refresh in
 * the gateway) writes the prices the listing states; the usage ledger and the token audit read
 * them to price calls when the operator's config has none for a model. Kinds the listing does
 * not state are left out, so a reader can tell "not priced" from "free".
 *
 * A small JSON file under the state dir, replaced atomically, because the host runs a
 * provider's catalog in its own JavaScript realm (another global scope in the same process)
 * and in whichever process builds the catalog, while the ledger prices in the one that writes
 * its rows; the file also keeps the last listing across restarts for runs that do not discover.
 */
export const GATEWAY_PRICES_PLUGINS = {
  owner: TAAS_PROVIDER_PLUGIN_ID,
  readers: [USAGE_LEDGER_PLUGIN_ID, TOKEN_AUDIT_PLUGIN_ID],
} as const;

/** In the owner's folder under the state dir. */
const gatewayPricesPath = (stateDir: string): string =>
  join(stateDir, GATEWAY_PRICES_PLUGINS.owner, "gateway-prices.json");

const FORMAT = 1;
const LISTING = `the prices saved from the gateway's listing (${GATEWAY_PRICES_PLUGINS.owner}/gateway-prices.json)`;

type PriceTable = ReadonlyMap<string, ModelPrices>;

/**
 * Writes the listed prices of `providers` (a provider id and its aliases) by model id,
 * replacing the previous listing. Off the request path (after a discovery); the file is written
 * beside and renamed over the old one, so a reader never sees half of it.
 */
export async function writeGatewayPrices(
  stateDir: string,
  providers: readonly string[],
  prices: PriceTable,
  now: Date = new Date(),
): Promise<void> {
  const path = gatewayPricesPath(stateDir);
  const models = Object.fromEntries(prices);
  const body = {
    format: FORMAT,
    listedAt: now.toISOString(),
    providers: Object.fromEntries(providers.map((id) => [id.toLowerCase(), models])),
  };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, `${JSON.stringify(body)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/**
 * Parses the file's text; anything unreadable is no prices (never a throw). The provider
 * refuses absurd prices before it writes them; a file from elsewhere (an older plugin, a hand
 * edit) is held to the same ceiling here, each refused price said through `warn`.
 */
function parseGatewayPrices(
  text: string,
  warn?: (message: string) => void,
): Map<string, PriceTable> {
  const tables = new Map<string, PriceTable>();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return tables;
  }
  if (!isRecord(body) || body.format !== FORMAT || !isRecord(body.providers)) return tables;
  for (const [provider, models] of Object.entries(body.providers)) {
    if (!isRecord(models)) continue;
    const table = new Map<string, ModelPrices>();
    for (const [model, cost] of Object.entries(models)) {
      const prices = readModelPrices(
        cost,
        refusedPriceWarner(warn, LISTING, `${provider}/${model}`),
      );
      if (prices) table.set(model, prices);
    }
    tables.set(provider.toLowerCase(), table);
  }
  return tables;
}

/**
 * The read side, for a process that prices off the request path (the ledger's writer, on its
 * batch timer). It looks at the file at most once per `checkEveryMs` and reads it again only
 * when it changed; a missing file answers nothing.
 */
export class GatewayPriceReader {
  readonly path: string;
  readonly #file: ChangedFile<Map<string, PriceTable>>;

  constructor(
    stateDir: string,
    options: { checkEveryMs?: number; now?: () => number; warn?: (message: string) => void } = {},
  ) {
    this.path = gatewayPricesPath(stateDir);
    this.#file = new ChangedFile(
      this.path,
      (text) => parseGatewayPrices(text, options.warn),
      () => new Map(),
      options,
    );
  }

  readonly lookup: PriceLookup = (provider, model) => {
    const listed = this.#file.current().get(provider.toLowerCase())?.get(model);
    return listed ? { ...listed } : undefined;
  };
}
