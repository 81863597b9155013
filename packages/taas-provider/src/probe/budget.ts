import { type ModelPrices, PRICE_KINDS } from "@cloudsigma/taas-core/usage/model-prices";
import { nanoToUsd, priceCall } from "@cloudsigma/taas-core/usage/usage-cost";

/** Tokens a request carries besides its words: the chat frame, the one-token answer, a margin. */
export const FRAME_TOKENS = 32;

/** The run's hard caps, and the most a flag may raise them to. */
export const PROBE_CAPS = {
  requests: { default: 120, ceiling: 600 },
  tokens: { default: 400_000, ceiling: 4_000_000 },
} as const;

export interface SpentSoFar {
  requests: number;
  tokens: number;
}

/** The run stops here: a one-line reason, and what it had spent when it stopped. */
export class ProbeStop extends Error {
  readonly spent: SpentSoFar;
  constructor(line: string, spent: SpentSoFar) {
    super(line);
    this.name = "ProbeStop";
    this.spent = spent;
  }
}

/** Tokens by the kinds they are priced at. */
export interface TokenKinds {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

const noTokens = (): TokenKinds => ({ input: 0, cacheRead: 0, cacheWrite: 0, output: 0 });

/**
 * Counts what a run sends against its caps before each request (a request that could pass the
 * token cap is not sent) and what the answers report after, per model, by priced kind.
 */
export class ProbeBudget {
  readonly maxRequests: number;
  readonly maxTokens: number;
  #requests = 0;
  #tokens = 0;
  readonly #byModel = new Map<string, TokenKinds & { requests: number }>();

  constructor(caps: { maxRequests: number; maxTokens: number }) {
    this.maxRequests = caps.maxRequests;
    this.maxTokens = caps.maxTokens;
  }

  /** Before a request of `words` words: throws when it would pass a cap. */
  charge(_model: string, words: number): void {
    const tokens = words + FRAME_TOKENS;
    if (this.#requests + 1 > this.maxRequests)
      throw new ProbeStop(
        `the request cap (${this.maxRequests}) is reached; raise it with --max-requests`,
        this.spent(),
      );
    if (this.#tokens + tokens > this.maxTokens)
      throw new ProbeStop(
        `the next request would pass the token cap (${this.maxTokens}); raise it with --max-tokens`,
        this.spent(),
      );
    this.#requests += 1;
    this.#tokens += tokens;
  }

  /** After an answer: its reported tokens replace the charged guess in the totals. */
  record(
    model: string,
    usage: {
      promptTokens: number;
      cachedTokens: number;
      writeTokens?: number;
      outputTokens: number;
    },
  ): void {
    const kinds = this.#byModel.get(model) ?? { ...noTokens(), requests: 0 };
    const write = usage.writeTokens ?? 0;
    kinds.requests += 1;
    kinds.cacheRead += usage.cachedTokens;
    kinds.cacheWrite += write;
    kinds.input += Math.max(0, usage.promptTokens - usage.cachedTokens - write);
    kinds.output += usage.outputTokens;
    this.#byModel.set(model, kinds);
  }

  spent(): SpentSoFar {
    return { requests: this.#requests, tokens: this.#tokens };
  }

  /** What the answers of `model` reported, by kind. */
  reported(model: string): TokenKinds & { requests: number } {
    return { ...(this.#byModel.get(model) ?? { ...noTokens(), requests: 0 }) };
  }
}

/** USD at the known prices, or null when a kind used has no price (never a guessed 0). */
export function costUsd(tokens: TokenKinds, prices: ModelPrices | undefined): number | null {
  const total = PRICE_KINDS.reduce((sum, kind) => sum + tokens[kind], 0);
  const cost = priceCall({
    usage: { ...tokens, total, known: true, shape: "openai-chat" },
    prices,
    hostPricedSameModel: false,
  });
  return cost.costState === "known" && cost.costNano !== null ? nanoToUsd(cost.costNano) : null;
}
