import { type CacheTruth, explainCache, promptShape } from "./cache-cause.ts";
import { type CacheProfile, profiledBoundaries, scopedBoundaries } from "./cache-profiles.ts";
import type { ConversationHistory } from "./conversation-history.ts";
import type { ChatMessage } from "./messages.ts";
import { type CacheGeometry, prefixBoundaries, type ReplicaPrefixCache } from "./prefix-cache.ts";
import type { TokenizedPrompt } from "./prompt-tokens.ts";

export interface PrefixServingState {
  caches: readonly ReplicaPrefixCache[];
  history: ConversationHistory;
  geometry: CacheGeometry;
  ttlMs: number;
  /** One cache per (replica, model): a prefix cached for one model is not readable by another. */
  perModel?: boolean;
}

export interface PrefixRequest {
  prompt: TokenizedPrompt;
  tools: readonly unknown[];
  messages: readonly ChatMessage[];
  routingKey: string | null;
  /** Zero-based index of the serving replica. */
  replica: number;
  now: number;
  /** The model that answers, and how its family caches; the shared geometry when absent. */
  model?: string;
  profile?: CacheProfile;
  /** The replica the request was meant for when it spilled to `replica` because that was full. */
  spilledFrom?: number | null;
}

export interface ServedPrefix {
  cachedTokens: number;
  /** Longest prefix of this prompt the model reads: what the serving replica holds afterwards. */
  cacheableTokens: number;
  truth: CacheTruth;
}

/**
 * Serves one prompt from its replica's prefix cache. The truth is judged before the request
 * stores anything (caches and history as the request found them); then the replica caches every
 * boundary the model reads and the history remembers that the conversation sent them all.
 */
export function servePrefix(state: PrefixServingState, request: PrefixRequest): ServedPrefix {
  const { prompt, now, routingKey } = request;
  const model = request.model ?? null;
  const profile = request.profile ?? {
    family: null,
    minTokens: state.geometry.minTokens,
    plateauTokens: 0,
    readyDelayMs: 0,
    reportsWrites: false,
  };
  const boundaries = prefixBoundaries(prompt.tokens, state.geometry);
  const { eligible, readable } = profiledBoundaries(boundaries, profile);
  const scope = state.perModel === true ? model : null;
  const held = scopedBoundaries(readable, scope);
  const cacheableTokens = readable.at(-1)?.tokens ?? 0;
  const cache = state.caches[request.replica];
  const cachedTokens = cache === undefined ? 0 : cache.lookup(held, now);
  const roles = request.messages.map((message) => message.role);
  const shape = promptShape(prompt.segmentIds, request.tools.length, roles, cacheableTokens);
  const match = state.history.match(routingKey, eligible, now);
  // The deepest prefix the model could have read of what the conversation sent (the ideal, or
  // short of it at the plateau), as this model's cache would hold it.
  const idealTokens = match.ideal?.tokens ?? 0;
  const reachable = readable.findLast((b) => b.tokens <= idealTokens);
  const sending =
    reachable === undefined ? undefined : state.history.sendingOf(routingKey, reachable.key, now);
  const truth = explainCache({
    cachedTokens,
    shape,
    match,
    reachable:
      reachable === undefined
        ? null
        : {
            tokens: reachable.tokens,
            key: scopedBoundaries([reachable], scope)[0]?.key ?? reachable.key,
            sending: sending ?? match.ideal?.sending ?? null,
          },
    serving: request.replica,
    home: request.spilledFrom ?? null,
    model: scope,
    caches: state.caches,
    now,
    ttlMs: state.ttlMs,
  });
  cache?.store(held, now, now + profile.readyDelayMs);
  state.history.record(routingKey, boundaries, shape, now, model);
  return { cachedTokens, cacheableTokens, truth };
}
