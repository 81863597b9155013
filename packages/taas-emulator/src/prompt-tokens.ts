import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { canonicalJson } from "./canonical-json.ts";

// Special-token text inside user content must count as plain text, not make encode() throw.
const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };

export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : encode(text, ENCODE_OPTIONS).length;
}

/**
 * Tokenises prompts as newline-delimited canonical JSON: every tool, then every message, one
 * segment each. Segments are tokenised on their own so a conversation that grows by appending
 * messages keeps an identical token prefix (what prefix caching needs), and so unchanged
 * messages can be served from the segment cache instead of being re-encoded on every turn.
 */
export class PromptTokenizer {
  readonly #cache = new Map<string, readonly number[]>();
  readonly #capacity: number;

  constructor(capacity = 4096) {
    this.#capacity = capacity;
  }

  tokenize(tools: readonly unknown[], messages: readonly unknown[]): Uint32Array {
    const segments = [...tools, ...messages].map((item) =>
      this.#segment(`${canonicalJson(item)}\n`),
    );
    const total = segments.reduce((sum, tokens) => sum + tokens.length, 0);
    const out = new Uint32Array(total);
    let offset = 0;
    for (const tokens of segments) {
      out.set(tokens, offset);
      offset += tokens.length;
    }
    return out;
  }

  clear(): void {
    this.#cache.clear();
  }

  #segment(text: string): readonly number[] {
    const hit = this.#cache.get(text);
    if (hit !== undefined) {
      this.#cache.delete(text);
      this.#cache.set(text, hit);
      return hit;
    }
    const tokens = encode(text, ENCODE_OPTIONS);
    this.#cache.set(text, tokens);
    if (this.#cache.size > this.#capacity) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    return tokens;
  }
}
