import type { ModelPrices } from "@cloudsigma/taas-core/usage/model-prices";
import { costUsd, FRAME_TOKENS } from "./budget.ts";
import type { MeasureOptions } from "./measure.ts";

/**
 * Words of the small prefixes (identity, ready delay, lifetime) the estimate assumes: just past
 * OpenAI's documented 1,024-token minimum. A model with a larger minimum costs more; the caps
 * bound it either way.
 */
const SMALL_WORDS_GUESS = 1_100;

export interface ProbeEstimate {
  requests: number;
  tokens: number;
  /** USD at the known prices, every token counted as uncached input; null when unpriced. */
  costUsd: number | null;
  /** Least wall time the rate and the lifetime waits impose. */
  minutes: number;
}

/**
 * What probing one model should cost when the cache reads at once: the long prefix sent and
 * read back, a bisection of cuts of it (half its length on average), one read below the
 * longest, the identity checks and, if asked, the lifetime trials. A delayed cache adds a few
 * reads; the caps hold whatever happens.
 */
export function estimateModel(
  options: MeasureOptions,
  prices: ModelPrices | undefined,
): ProbeEstimate {
  const long = options.prefixWords + FRAME_TOKENS;
  const small = SMALL_WORDS_GUESS + FRAME_TOKENS;
  const bisections = Math.ceil(Math.log2(options.prefixWords));
  const identity = 2 * (1 + options.identityReads);
  const lifetimeTrials = options.lifetime ? options.lifetime.steps + 1 : 0;
  const requests = 3 + bisections + identity + 2 * lifetimeTrials;
  const tokens =
    3 * long + bisections * Math.ceil(long / 2) + identity * small + 2 * lifetimeTrials * small;
  const rateMinutes = options.ratePerMinute > 0 ? requests / options.ratePerMinute : 0;
  const lifetimeMinutes = options.lifetime ? (2 * options.lifetime.boundMs) / 60_000 : 0;
  return {
    requests,
    tokens,
    costUsd: costUsd({ input: tokens, cacheRead: 0, cacheWrite: 0, output: requests }, prices),
    minutes: Math.ceil(rateMinutes + lifetimeMinutes),
  };
}
