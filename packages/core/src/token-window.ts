/**
 * The largest context window believed, in tokens, wherever one comes from outside: TaaS's
 * `/models` listing (`context_window`, `max_output_tokens`) and its `X-TaaS-Routed-Context-Window`
 * response header. The longest real windows are a few million tokens; a figure past this one
 * (1e308 was stored as sent) is broken or hostile, and a route or a capture is better without it.
 */
export const MAX_WINDOW_TOKENS = 100_000_000;

/** A window's size (header text or a number): a whole count from 1 to the maximum, else none. */
export function windowTokens(value: unknown): number | undefined {
  const tokens = typeof value === "string" ? Number(value.trim()) : value;
  return typeof tokens === "number" &&
    Number.isSafeInteger(tokens) &&
    tokens > 0 &&
    tokens <= MAX_WINDOW_TOKENS
    ? tokens
    : undefined;
}
