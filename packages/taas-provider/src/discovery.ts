import { readCappedText } from "@cloudsigma/taas-core/capped-body";
import type { RefusedPrice } from "@cloudsigma/taas-core/price-ceiling";
import type { ModelPrices } from "@cloudsigma/taas-core/usage/model-prices";
import {
  fetchWithSsrFGuard,
  GuardedFetchRedirectError,
  type LookupFn,
  mergeSsrFPolicies,
  SsrFBlockedError,
  type SsrFPolicy,
  ssrfPolicyFromHttpBaseUrlAllowedOrigin,
} from "openclaw/plugin-sdk/ssrf-runtime";
import { listedPrices } from "./listed-prices.ts";
import { type ProjectedRows, projectRow, projectRows, readListRows } from "./live-rows.ts";

/**
 * One bounded, SSRF-guarded read of `<baseUrl>/models`. It reaches the configured origin and
 * nothing else: no redirects are followed, the hostname is allow-listed, and a private address
 * is accepted only when it is the configured origin itself (the emulator on loopback, a staging
 * gateway on a private network). Every failure comes back as a reason, never as a throw.
 */

export const DEFAULT_DISCOVERY_TIMEOUT_MS = 5_000;
/** Far above any real listing; a body past this is refused rather than buffered. */
export const MAX_MODELS_BODY_BYTES = 4 * 1024 * 1024;
/** Rows read from one listing; a gateway listing more is cut here (and the cut is reported). */
export const MAX_DISCOVERED_ROWS = 2_000;
/** A model listing is two or three levels deep; far deeper JSON is refused unparsed. */
export const MAX_LISTING_DEPTH = 32;

export interface DiscoveryRequest {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Injected in tests (DNS answers for names that do not exist). */
  lookupFn?: LookupFn;
}

export type DiscoveryResult =
  | ({
      ok: true;
      /** Rows past MAX_DISCOVERED_ROWS, not read. */
      cut: number;
      /** The prices the listing states, by model id (kinds it does not state left out). */
      prices: Map<string, ModelPrices>;
      /** Listed prices past the ceiling, left out of `prices` (their kinds stay unknown). */
      refusedPrices: RefusedPrice[];
    } & ProjectedRows)
  | { ok: false; reason: string; authRejected?: boolean };

export function modelsEndpoint(baseUrl: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username || url.password) return undefined;
  url.search = "";
  url.hash = "";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/models`;
  return url;
}

/** Only the configured origin: its hostname allow-listed, private ranges allowed for it alone. */
export function discoveryPolicy(endpoint: URL): SsrFPolicy {
  return (
    mergeSsrFPolicies(ssrfPolicyFromHttpBaseUrlAllowedOrigin(endpoint.origin), {
      hostnameAllowlist: [endpoint.hostname],
    }) ?? { hostnameAllowlist: [endpoint.hostname] }
  );
}

/** A loopback host, where plain http never leaves the machine (the emulator, a local proxy). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

export async function discoverModels(request: DiscoveryRequest): Promise<DiscoveryResult> {
  const endpoint = modelsEndpoint(request.baseUrl);
  if (!endpoint) return { ok: false, reason: "the base URL is not a plain http(s) URL" };
  if (endpoint.protocol === "http:" && !isLoopbackHost(endpoint.hostname)) {
    return {
      ok: false,
      reason: `refused to send the API key over plain http:// to ${endpoint.hostname.slice(0, 100)} (not loopback); use https://`,
    };
  }
  const timeoutMs = request.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  let guarded: Awaited<ReturnType<typeof fetchWithSsrFGuard>>;
  try {
    guarded = await fetchWithSsrFGuard({
      url: endpoint.toString(),
      init: {
        method: "GET",
        headers: { authorization: `Bearer ${request.apiKey}`, accept: "application/json" },
      },
      policy: discoveryPolicy(endpoint),
      maxRedirects: 0,
      timeoutMs,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.lookupFn ? { lookupFn: request.lookupFn } : {}),
      capture: false,
      auditContext: "cloudsigma-model-discovery",
    });
  } catch (error) {
    return { ok: false, reason: describeFetchError(error, timeoutMs) };
  }
  try {
    const { response } = guarded;
    if (!response.ok) {
      const authRejected = response.status === 401 || response.status === 403;
      return {
        ok: false,
        authRejected,
        reason: authRejected
          ? `the gateway rejected the API key (HTTP ${response.status})`
          : `the gateway answered HTTP ${response.status}`,
      };
    }
    const text = await readCappedText(response.body, MAX_MODELS_BODY_BYTES);
    if (text === undefined) return { ok: false, reason: "the model list is larger than 4 MiB" };
    if (nestingDepth(text) > MAX_LISTING_DEPTH) {
      return { ok: false, reason: `the model list nests deeper than ${MAX_LISTING_DEPTH} levels` };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, reason: "the model list is not valid JSON" };
    }
    const rows = readListRows(body);
    if (!rows) return { ok: false, reason: "the model list has no `data` array" };
    const read = rows.slice(0, MAX_DISCOVERED_ROWS);
    const cut = Math.max(0, rows.length - MAX_DISCOVERED_ROWS);
    // Prices only from the rows the catalog uses: a row broken elsewhere is not believed.
    const refusedPrices: RefusedPrice[] = [];
    const chatRows = read.filter((row) => projectRow(row).kind === "chat");
    const prices = listedPrices(chatRows, (refused) => refusedPrices.push(refused));
    return { ok: true, ...projectRows(read), prices, refusedPrices, cut };
  } catch (error) {
    return { ok: false, reason: describeFetchError(error, timeoutMs) };
  } finally {
    await guarded.release();
  }
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped), in one pass. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (char === 0x5d || char === 0x7d) depth -= 1;
  }
  return deepest;
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof GuardedFetchRedirectError) {
    return `refused a redirect (HTTP ${error.status}); discovery only reads the configured origin`;
  }
  if (error instanceof SsrFBlockedError) {
    return "the address is not the configured TaaS origin or is a private address (blocked)";
  }
  if (isAbort(error)) return `no answer within ${timeoutMs} ms`;
  const code = errorCode(error);
  return code ? `network failure (${code})` : "network failure";
}

function isAbort(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "AbortError" || error.name === "TimeoutError") return true;
  return /timed? ?out|aborted/i.test(error.message);
}

/** A stable error code (ECONNREFUSED, ENOTFOUND, ...) from the error or its cause chain. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code: unknown = Reflect.get(current, "code");
    if (typeof code === "string" && /^[A-Z0-9_]+$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}
