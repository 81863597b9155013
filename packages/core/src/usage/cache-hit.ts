/**
 * The one cache hit-rate definition every report uses:
 *
 *   hit % = cacheRead / (input + cacheRead + cacheWrite) * 100
 *
 * where `input` is the UNCACHED prompt part. The denominator is the whole prompt, so the rate
 * is never above 100%, and it is right both for providers that report cache writes
 * (Anthropic: written tokens are prompt tokens that missed) and for those that do not
 * (OpenAI: cacheWrite is always 0). Dividing by `input` alone is how 199% happens.
 */
interface PromptTokens {
  input: number;
  cacheRead: number;
  cacheWrite: number;
}

const count = (value: number): number => (Number.isFinite(value) && value > 0 ? value : 0);

/** The hit rate in percent, or null when there were no prompt tokens at all. */
export function cacheHitPercent(tokens: PromptTokens): number | null {
  const read = count(tokens.cacheRead);
  const prompt = count(tokens.input) + read + count(tokens.cacheWrite);
  if (prompt === 0) return null;
  return Math.min(100, (read / prompt) * 100);
}
