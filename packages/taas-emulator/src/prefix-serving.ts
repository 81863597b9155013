import { type CacheTruth, explainCache, promptShape } from "./cache-cause.ts";
import type { ConversationHistory } from "./conversation-history.ts";
import type { ChatMessage } from "./messages.ts";
import {
  type CacheGeometry,
  cacheableLength,
  prefixBoundaries,
  type ReplicaPrefixCache,
} from "./prefix-cache.ts";
import type { TokenizedPrompt } from "./prompt-tokens.ts";

export interface PrefixServingState {
  caches: readonly ReplicaPrefixCache[];
  history: ConversationHistory;
  geometry: CacheGeometry;
  ttlMs: number;
}

export interface PrefixRequest {
  prompt: TokenizedPrompt;
  tools: readonly unknown[];
  messages: readonly ChatMessage[];
  routingKey: string | null;
  /** Zero-based index of the serving replica. */
  replica: number;
  now: number;
}

export interface ServedPrefix {
  cachedTokens: number;
  /** Longest cacheable prefix of this prompt: what the serving replica holds afterwards. */
  cacheableTokens: number;
  truth: CacheTruth;
}

/**
 * Serves one prompt from its replica's prefix cache. The truth is judged before the request
 * stores anything (caches and history as the request found them); then the replica caches every
 * boundary and the history remembers that the conversation sent them.
 */
export function servePrefix(state: PrefixServingState, request: PrefixRequest): ServedPrefix {
  const { prompt, now } = request;
  const boundaries = prefixBoundaries(prompt.tokens, state.geometry);
  const cacheableTokens = cacheableLength(prompt.tokens.length, state.geometry);
  const cache = state.caches[request.replica];
  const cachedTokens = cache === undefined ? 0 : cache.lookup(boundaries, now);
  const roles = request.messages.map((message) => message.role);
  const shape = promptShape(prompt.segmentIds, request.tools.length, roles, cacheableTokens);
  const truth = explainCache({
    cachedTokens,
    shape,
    match: state.history.match(request.routingKey, boundaries, now),
    serving: request.replica,
    caches: state.caches,
    now,
    ttlMs: state.ttlMs,
  });
  cache?.store(boundaries, now);
  state.history.record(request.routingKey, boundaries, shape, now);
  return { cachedTokens, cacheableTokens, truth };
}
