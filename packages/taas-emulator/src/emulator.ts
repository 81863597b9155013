import { errorText } from "@cloudsigma/taas-core/error-text";
import { handleChat } from "./chat-endpoint.ts";
import { ConversationHistory } from "./conversation-history.ts";
import { ApiError, errorResponse, jsonResponse } from "./errors.ts";
import { newRequestId, newTraceId } from "./ids.ts";
import { modelsResponse } from "./models-endpoint.ts";
import { resolveOptions } from "./options.ts";
import { ReplicaPrefixCache } from "./prefix-cache.ts";
import { PromptTokenizer } from "./prompt-tokens.ts";
import {
  emptyDraft,
  type RecordDraft,
  Recorder,
  ReplicaStatsTracker,
  redactHeaders,
} from "./recorder.ts";
import { Router, replicaName } from "./routing.ts";
import { SlotCapacity } from "./slot-capacity.ts";
import type { Emulator, EmulatorHandler, EmulatorOptions } from "./types.ts";

type RouteHandler = (req: Request, draft: RecordDraft) => Promise<Response> | Response;

interface RouteEntry {
  method: "GET" | "POST";
  authenticated: boolean;
  handler: RouteHandler;
}

const INSPECTION_PREFIX = "/__emulator/";

function checkBearer(req: Request, apiKey: string): void {
  const header = req.headers.get("authorization");
  const match = header === null ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
  if (match?.[1] === apiKey) return;
  const message =
    header === null
      ? "You didn't provide an API key. Provide it in the Authorization header as 'Bearer <key>'."
      : "Incorrect API key provided.";
  throw new ApiError(401, message, { code: "invalid_api_key", type: "invalid_request_error" });
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof Error && error.name === "AbortError") {
    return new ApiError(499, "The client closed the request.", { code: "client_closed_request" });
  }
  const detail = errorText(error);
  return new ApiError(500, `Internal emulator error: ${detail}`, { code: "internal_error" });
}

/** Builds an emulator instance: a web-standard handler plus its inspection hooks. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const resolved = resolveOptions(options);
  const names = Array.from({ length: resolved.replicas }, (_, index) => replicaName(index));
  const caches = names.map(
    () => new ReplicaPrefixCache(resolved.cacheTtlMs, resolved.cacheCapacityBlocks),
  );
  const tokenizer = new PromptTokenizer();
  const router = new Router(resolved);
  const slots = new SlotCapacity(
    resolved.replicas,
    {
      maxConcurrent: resolved.slotMaxConcurrent,
      requestsPerMinute: resolved.slotRequestsPerMinute,
      overflow: resolved.slotOverflow,
    },
    resolved.now,
  );
  const stats = new ReplicaStatsTracker(names);
  const recorder = new Recorder(resolved.recordLimit);
  const history = new ConversationHistory(resolved.historyTtlMs, resolved.historyCapacityBlocks);
  const geometry = { minTokens: resolved.minCacheTokens, stepTokens: resolved.cacheStepTokens };
  const prefix = {
    caches,
    history,
    geometry,
    ttlMs: resolved.cacheTtlMs,
    perModel: resolved.cachePerModel,
  };
  const chatState = { options: resolved, tokenizer, router, slots, prefix, stats };

  const snapshot = () => stats.snapshot(caches.map((cache) => cache.size));
  const reset = (): void => {
    recorder.clear();
    stats.clear();
    router.reset();
    slots.clear();
    history.clear();
    for (const cache of caches) cache.clear();
  };

  const routes: Record<string, RouteEntry> = {
    "/v1/models": {
      method: "GET",
      authenticated: true,
      handler: (req) => modelsResponse(resolved, req.signal),
    },
    "/v1/chat/completions": {
      method: "POST",
      authenticated: true,
      handler: (req, draft) => handleChat(req, chatState, draft),
    },
    "/__emulator/requests": {
      method: "GET",
      authenticated: false,
      handler: () => jsonResponse({ requests: recorder.list() }),
    },
    "/__emulator/stats": {
      method: "GET",
      authenticated: false,
      handler: () => jsonResponse(snapshot()),
    },
    "/__emulator/reset": {
      method: "POST",
      authenticated: false,
      handler: () => {
        reset();
        return jsonResponse({ ok: true });
      },
    },
  };

  const dispatch = async (req: Request, path: string, draft: RecordDraft): Promise<Response> => {
    const route = routes[path];
    if (route === undefined) {
      throw new ApiError(404, `Unknown request URL: ${req.method} ${path}.`, { code: "not_found" });
    }
    if (req.method !== route.method) {
      const error = new ApiError(405, `Method ${req.method} is not allowed on ${path}.`, {
        code: "method_not_allowed",
      });
      return errorResponse(error, { allow: route.method });
    }
    if (route.authenticated) checkBearer(req, resolved.apiKey);
    return route.handler(req, draft);
  };

  const handle: EmulatorHandler = async (req) => {
    const url = new URL(req.url);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const draft = emptyDraft({
      time: resolved.now(),
      method: req.method,
      path,
      headers: redactHeaders(req.headers),
    });
    let response: Response;
    try {
      response = await dispatch(req, path, draft);
    } catch (error) {
      response = errorResponse(toApiError(error));
    }
    const requestId = newRequestId();
    const traceId = newTraceId();
    response.headers.set("x-request-id", requestId);
    response.headers.set("x-trace-id", traceId);
    draft.status = response.status;
    draft.requestId = requestId;
    draft.traceId = traceId;
    // Inspection traffic is not recorded, so polling the recorder never changes what it shows.
    if (!path.startsWith(INSPECTION_PREFIX)) recorder.add(draft);
    return response;
  };

  const drain = (replicas: readonly string[]): void =>
    router.drain(replicas.map((name) => names.indexOf(name)).filter((index) => index >= 0));
  return { handle, requests: () => recorder.list(), stats: snapshot, reset, drain };
}

export function createEmulatorHandler(options: EmulatorOptions = {}): EmulatorHandler {
  return createEmulator(options).handle;
}
