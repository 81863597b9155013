import { createHash } from "node:crypto";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { canonicalJson } from "./canonical-json.ts";

// Special-token text inside user content must count as plain text, not make encode() throw.
const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };

export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : encode(text, ENCODE_OPTIONS).length;
}

export interface TokenizedPrompt {
  tokens: Uint32Array;
  /**
   * One id per tool, then per message: a hash of its canonical JSON, so two prompts can be
   * compared item by item (to say where a conversation's prompt changed) without keeping them.
   */
  segmentIds: string[];
}

interface Segment {
  tokens: readonly number[];
  id: string;
}

/**
 * Tokenises prompts as newline-delimited canonical JSON: every tool, then every message, one
 * segment each. Segments are tokenised on their own so a conversation that grows by appending
 * messages keeps an identical token prefix (what prefix caching needs), and so unchanged
 * messages can be served from the segment cache instead of being re-encoded on every turn.
 */
export class PromptTokenizer {
  readonly #cache = new Map<string, Segment>();
  readonly #capacity: number;

  constructor(capacity = 4096) {
    this.#capacity = capacity;
  }

  tokenize(tools: readonly unknown[], messages: readonly unknown[]): Uint32Array {
    return this.tokenizePrompt(tools, messages).tokens;
  }

  tokenizePrompt(tools: readonly unknown[], messages: readonly unknown[]): TokenizedPrompt {
    const segments = [...tools, ...messages].map((item) =>
      this.#segment(`${canonicalJson(item)}\n`),
    );
    const total = segments.reduce((sum, segment) => sum + segment.tokens.length, 0);
    const tokens = new Uint32Array(total);
    let offset = 0;
    for (const segment of segments) {
      tokens.set(segment.tokens, offset);
      offset += segment.tokens.length;
    }
    return { tokens, segmentIds: segments.map((segment) => segment.id) };
  }

  clear(): void {
    this.#cache.clear();
  }

  #segment(text: string): Segment {
    const hit = this.#cache.get(text);
    if (hit !== undefined) {
      this.#cache.delete(text);
      this.#cache.set(text, hit);
      return hit;
    }
    // Hashed only when encoded, which costs far more: a cached segment keeps its id.
    const segment = { tokens: encode(text, ENCODE_OPTIONS), id: sha256Base64(text) };
    this.#cache.set(text, segment);
    if (this.#cache.size > this.#capacity) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    return segment;
  }
}

function sha256Base64(text: string): string {
  return createHash("sha256").update(text).digest("base64");
}
