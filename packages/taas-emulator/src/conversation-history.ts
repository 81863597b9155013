import type { PrefixBoundary } from "./prefix-cache.ts";

/** What the history keeps of one prompt: enough to say where a later prompt departs from it. */
export interface PromptShape {
  /** One id per tool, then per message (`TokenizedPrompt.segmentIds`). */
  segmentIds: readonly string[];
  toolCount: number;
  /** Leading `system`/`developer` messages: the system prompt. */
  systemCount: number;
  cacheableTokens: number;
}

/** One request's sending of its boundaries; every boundary of that request points to it. */
export interface Sending {
  time: number;
  shape: PromptShape;
  /** The model the request was served by (caches may be per model). */
  model: string | null;
}

interface Conversation {
  /** Boundary hash -> its latest sending, least recently sent first. */
  sent: Map<string, Sending>;
  latest: Sending;
}

export interface ConversationMatch {
  /** True for the pool of requests without an affinity key. */
  keyless: boolean;
  /** Whether an earlier request of this conversation is remembered. */
  known: boolean;
  /** The deepest boundary of this prompt the conversation sent before, and that sending. */
  ideal: { tokens: number; key: string; sending: Sending } | null;
  /** The prompt this one is compared with to find where it diverged. */
  previous: PromptShape | null;
}

const KEYLESS_POOL = "keyless";

/**
 * What each conversation sent, whatever replica served it and whether a replica still holds it:
 * the reference a request's cached tokens are judged against.
 *
 * A conversation is the routing key when the request has one. Requests without a key form one
 * pool: every earlier keyless request that sent a prefix counts, and the prompt compared with is
 * the latest one that sent the deepest shared prefix, the best guess at "its" conversation.
 *
 * Bounded like a replica cache: a boundary is forgotten `ttlMs` after it was last sent, and past
 * `capacity` blocks (one per remembered boundary, one per conversation) the least recently
 * active conversations are forgotten whole, so a remembered conversation always has its latest
 * prompt's boundaries.
 */
export class ConversationHistory {
  readonly #conversations = new Map<string, Conversation>();
  readonly #ttlMs: number;
  readonly #capacity: number;
  #blocks = 0;

  constructor(ttlMs: number, capacity: number) {
    this.#ttlMs = ttlMs;
    this.#capacity = capacity;
  }

  /** Size in blocks, for tests of the bound. */
  get blocks(): number {
    return this.#blocks;
  }

  match(
    routingKey: string | null,
    boundaries: readonly PrefixBoundary[],
    now: number,
  ): ConversationMatch {
    const keyless = routingKey === null;
    const conversation = this.#live(conversationId(routingKey), now);
    let ideal: ConversationMatch["ideal"] = null;
    for (let i = boundaries.length - 1; i >= 0 && conversation !== undefined; i--) {
      const boundary = boundaries[i];
      const sending = boundary === undefined ? undefined : conversation.sent.get(boundary.key);
      if (boundary !== undefined && sending !== undefined && now - sending.time < this.#ttlMs) {
        ideal = { tokens: boundary.tokens, key: boundary.key, sending };
        break;
      }
    }
    if (keyless) {
      // The pool's "previous prompt" is whichever keyless request sent the deepest shared prefix.
      return { keyless, known: ideal !== null, ideal, previous: ideal?.sending.shape ?? null };
    }
    const previous = conversation?.latest.shape ?? null;
    return { keyless, known: conversation !== undefined, ideal, previous };
  }

  /** The conversation's latest sending of one boundary, if remembered and within the TTL. */
  sendingOf(routingKey: string | null, key: string, now: number): Sending | undefined {
    const sending = this.#conversations.get(conversationId(routingKey))?.sent.get(key);
    return sending !== undefined && now - sending.time < this.#ttlMs ? sending : undefined;
  }

  record(
    routingKey: string | null,
    boundaries: readonly PrefixBoundary[],
    shape: PromptShape,
    now: number,
    model: string | null = null,
  ): void {
    const id = conversationId(routingKey);
    const sending: Sending = { time: now, shape, model };
    let conversation = this.#conversations.get(id);
    if (conversation === undefined) {
      conversation = { sent: new Map(), latest: sending };
      this.#blocks += 1;
    } else {
      this.#conversations.delete(id);
      conversation.latest = sending;
    }
    this.#conversations.set(id, conversation);
    for (const boundary of boundaries) {
      if (!conversation.sent.delete(boundary.key)) this.#blocks += 1;
      conversation.sent.set(boundary.key, sending);
    }
    this.#prune(conversation, now);
  }

  clear(): void {
    this.#conversations.clear();
    this.#blocks = 0;
  }

  #live(id: string, now: number): Conversation | undefined {
    const conversation = this.#conversations.get(id);
    if (conversation === undefined || now - conversation.latest.time < this.#ttlMs) {
      return conversation;
    }
    this.#forget(id, conversation);
    return undefined;
  }

  #prune(current: Conversation, now: number): void {
    // Least recently active first, so expired conversations sit at the front; so do the
    // current conversation's expired sends in its own map.
    for (const [id, conversation] of this.#conversations) {
      if (conversation === current || now - conversation.latest.time < this.#ttlMs) break;
      this.#forget(id, conversation);
    }
    for (const [key, sending] of current.sent) {
      if (now - sending.time < this.#ttlMs) break;
      this.#drop(current, key);
    }
    for (const [id, conversation] of this.#conversations) {
      if (this.#blocks <= this.#capacity) return;
      if (conversation !== current) this.#forget(id, conversation);
    }
    // Only the current conversation is left and it alone is too big: its oldest sends go.
    for (const key of current.sent.keys()) {
      if (this.#blocks <= this.#capacity) return;
      this.#drop(current, key);
    }
  }

  #drop(conversation: Conversation, key: string): void {
    conversation.sent.delete(key);
    this.#blocks -= 1;
  }

  #forget(id: string, conversation: Conversation): void {
    this.#conversations.delete(id);
    this.#blocks -= 1 + conversation.sent.size;
  }
}

function conversationId(routingKey: string | null): string {
  return routingKey === null ? KEYLESS_POOL : `key:${routingKey}`;
}
