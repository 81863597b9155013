import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ChangedFile } from "../changed-file.ts";
import { isRecord } from "../records.ts";
import { TAAS_PROVIDER_PLUGIN_ID, USAGE_LEDGER_PLUGIN_ID } from "./plugin-ids.ts";

/**
 * The probed-geometry seam. The TaaS provider plugin (`cloudsigma`) owns it: `openclaw
 * cloudsigma probe` measures how one endpoint caches each model it probes (minimum, step,
 * plateau, ready delay, idle lifetime) and saves it here, per endpoint and model; the usage
 * ledger accounts a model with its probed geometry unless the operator's `cacheGeometry`
 * config says otherwise, and says so (configured, probed with its date, or default).
 *
 * A small JSON file under the state dir, replaced atomically: the probe runs in a CLI process,
 * the ledger accounts in the gateway's, and a measurement must outlive both.
 */
export const PROBED_GEOMETRY_PLUGINS = {
  owner: TAAS_PROVIDER_PLUGIN_ID,
  readers: [USAGE_LEDGER_PLUGIN_ID],
} as const;

/** One model's cache as a probe measured it at one endpoint. */
export interface ProbedGeometry {
  /** When it was measured (ISO 8601). */
  probedAt: string;
  minTokens: number;
  stepTokens: number;
  /** Where reads stopped; null when none was seen up to `searchedTokens`. */
  plateauTokens: number | null;
  /** The longest prefix the plateau was looked for in. */
  searchedTokens: number;
  /** At most this long after a first send the prefix was readable (0: at once). */
  readyDelayMs: number;
  /** The idle time after which a prefix was gone (upper end of the bracket); null: not measured. */
  ttlMs: number | null;
  reportsWrites: boolean;
}

/** In the owner's folder under the state dir. */
export const probedGeometryPath = (stateDir: string): string =>
  join(stateDir, PROBED_GEOMETRY_PLUGINS.owner, "probed-geometry.json");

const FORMAT = 1;

interface EndpointEntry {
  providers: string[];
  models: Record<string, ProbedGeometry>;
}

/**
 * An endpoint as the file keys it: scheme, host, port and path, lower case, without
 * credentials, query, fragment or trailing slash (nothing secret is ever a key).
 */
function endpointKey(baseUrl: string): string | undefined {
  const url = URL.parse(baseUrl.trim());
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) return undefined;
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  return url.toString().replace(/\/+$/, "").toLowerCase();
}

const whole = (value: unknown, min = 0): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= min;

/** One model's entry as read from the file; anything malformed is none. */
function readGeometry(value: unknown): ProbedGeometry | undefined {
  if (!isRecord(value)) return undefined;
  const { probedAt, minTokens, stepTokens, plateauTokens, searchedTokens } = value;
  const { readyDelayMs, ttlMs, reportsWrites } = value;
  if (typeof probedAt !== "string" || Number.isNaN(Date.parse(probedAt))) return undefined;
  if (!whole(minTokens, 1) || !whole(stepTokens, 1) || !whole(searchedTokens)) return undefined;
  if (plateauTokens !== null && !whole(plateauTokens, 1)) return undefined;
  if (!whole(readyDelayMs) || (ttlMs !== null && !whole(ttlMs, 1))) return undefined;
  if (typeof reportsWrites !== "boolean") return undefined;
  return {
    probedAt,
    minTokens,
    stepTokens,
    plateauTokens,
    searchedTokens,
    readyDelayMs,
    ttlMs,
    reportsWrites,
  };
}

function parseFile(text: string): Map<string, EndpointEntry> {
  const endpoints = new Map<string, EndpointEntry>();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return endpoints;
  }
  if (!isRecord(body) || body.format !== FORMAT || !isRecord(body.endpoints)) return endpoints;
  for (const [endpoint, entry] of Object.entries(body.endpoints)) {
    if (!isRecord(entry) || !Array.isArray(entry.providers) || !isRecord(entry.models)) continue;
    const providers = entry.providers.filter((id): id is string => typeof id === "string");
    const models: Record<string, ProbedGeometry> = {};
    for (const [model, value] of Object.entries(entry.models)) {
      const geometry = readGeometry(value);
      if (geometry) models[model] = geometry;
    }
    endpoints.set(endpoint, { providers: providers.map((id) => id.toLowerCase()), models });
  }
  return endpoints;
}

/**
 * Saves one model's measurement at `baseUrl`, served as `providers` (a provider id and its
 * aliases), keeping every other endpoint's and model's. Written beside and renamed over the old
 * file, so a reader never sees half of it; private to the user.
 */
export async function writeProbedGeometry(
  stateDir: string,
  baseUrl: string,
  providers: readonly string[],
  model: string,
  geometry: ProbedGeometry,
): Promise<void> {
  const key = endpointKey(baseUrl);
  if (!key) throw new Error(`not an http(s) endpoint: ${baseUrl.slice(0, 200)}`);
  const path = probedGeometryPath(stateDir);
  let text = "";
  try {
    text = await readFile(path, "utf8");
  } catch {
    // No measurement yet.
  }
  const endpoints = parseFile(text);
  const entry = endpoints.get(key) ?? { providers: [], models: {} };
  entry.providers = [...new Set([...entry.providers, ...providers.map((p) => p.toLowerCase())])];
  entry.models[model] = geometry;
  endpoints.set(key, entry);
  const body = { format: FORMAT, endpoints: Object.fromEntries(endpoints) };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** The read side, for the ledger's accounting (off the request path, on its batch timer). */
export class ProbedGeometryReader {
  readonly path: string;
  readonly #file: ChangedFile<Map<string, EndpointEntry>>;

  constructor(stateDir: string, options: { checkEveryMs?: number; now?: () => number } = {}) {
    this.path = probedGeometryPath(stateDir);
    this.#file = new ChangedFile(this.path, parseFile, () => new Map(), options);
  }

  /**
   * The measurement of `model` as `provider` serves it: at `baseUrl` when the caller knows
   * the endpoint (a probe of another endpoint does not count), else the newest of any.
   */
  lookup(provider: string, model: string, baseUrl?: string): ProbedGeometry | undefined {
    const id = provider.toLowerCase();
    const wanted = baseUrl === undefined ? undefined : endpointKey(baseUrl);
    let newest: ProbedGeometry | undefined;
    for (const [endpoint, entry] of this.#file.current()) {
      if (!entry.providers.includes(id)) continue;
      if (wanted !== undefined && endpoint !== wanted) continue;
      const geometry = entry.models[model];
      if (geometry && (!newest || Date.parse(geometry.probedAt) > Date.parse(newest.probedAt)))
        newest = geometry;
    }
    return newest ? { ...newest } : undefined;
  }
}
