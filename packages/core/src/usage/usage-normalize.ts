import { isRecord } from "../records.ts";
import { MAX_WINDOW_TOKENS } from "../token-window.ts";

/**
 * One token-usage shape for every provider. `input` is always the UNCACHED prompt part, so
 * input + cacheRead + cacheWrite is the whole prompt and hit rates can never exceed 100%.
 * Malformed counters (strings, negatives, NaN, fractions of garbage) read as 0; a payload
 * with no recognisable counter at all, or with more tokens than any run uses
 * (`MAX_USAGE_TOKENS`), is `known: false`. Nothing here throws.
 */

type UsageShape =
  | "openclaw"
  | "openai-chat"
  | "openai-responses"
  | "anthropic"
  | "google"
  | "bedrock"
  | "unknown";

export interface NormalizedUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
  /** False when the payload held no usage counter we recognise (the row's tokens are unknown). */
  known: boolean;
  shape: UsageShape;
}

export const EMPTY_USAGE: NormalizedUsage = Object.freeze({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  total: 0,
  known: false,
  shape: "unknown",
});

type Bag = Record<string, unknown>;

/** A token counter: a finite, non-negative number, truncated to an integer; anything else 0. */
function tokenCount(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.trunc(value), Number.MAX_SAFE_INTEGER);
}

const has = (bag: Bag, key: string): boolean =>
  typeof bag[key] === "number" && Number.isFinite(bag[key]);

const child = (bag: Bag, key: string): Bag => {
  const value = bag[key];
  return isRecord(value) ? value : {};
};

/**
 * The most tokens one usage report is believed to hold: a run of a hundred calls, each filling
 * the largest context window believed. A report past it is garbage (a gateway answering 2^53
 * tokens per call overflowed the ledger's hourly sums after a thousand calls, dropping rows).
 */
const MAX_USAGE_TOKENS = 100 * MAX_WINDOW_TOKENS;

function finish(
  shape: UsageShape,
  parts: { input: number; output: number; cacheRead: number; cacheWrite: number },
  reportedTotal: unknown,
): NormalizedUsage {
  const buckets = parts.input + parts.output + parts.cacheRead + parts.cacheWrite;
  const total = Math.max(buckets, tokenCount(reportedTotal));
  // Such a report's tokens are unknown (so is its cost), never stored as counted.
  if (total > MAX_USAGE_TOKENS) return { ...EMPTY_USAGE, shape };
  return { ...parts, total, known: true, shape };
}

/** Which known shape a usage object has, judged by the keys each provider always sends. */
function shapeOf(usage: unknown): UsageShape {
  if (!isRecord(usage)) return "unknown";
  if (has(usage, "prompt_tokens") || has(usage, "completion_tokens")) return "openai-chat";
  if (isRecord(usage.input_tokens_details) || isRecord(usage.output_tokens_details))
    return "openai-responses";
  if (has(usage, "cache_read_input_tokens") || has(usage, "cache_creation_input_tokens"))
    return "anthropic";
  if (has(usage, "input_tokens") || has(usage, "output_tokens")) return "anthropic";
  if (has(usage, "promptTokenCount") || has(usage, "candidatesTokenCount")) return "google";
  if (has(usage, "inputTokens") || has(usage, "outputTokens")) return "bedrock";
  if (["input", "output", "cacheRead", "cacheWrite"].some((key) => has(usage, key)))
    return "openclaw";
  return "unknown";
}

/** Normalises any supported provider usage object (or the host's own) to `NormalizedUsage`. */
export function normalizeUsage(usage: unknown): NormalizedUsage {
  try {
    return normalizeShape(usage);
  } catch {
    return { ...EMPTY_USAGE }; // a getter that throws, a revoked proxy: unknown, never an exception
  }
}

function normalizeShape(usage: unknown): NormalizedUsage {
  const shape = shapeOf(usage);
  if (!isRecord(usage) || shape === "unknown") return { ...EMPTY_USAGE };
  switch (shape) {
    case "openclaw": {
      // The host's normalised form: input is already uncached.
      return finish(
        shape,
        {
          input: tokenCount(usage.input),
          output: tokenCount(usage.output),
          cacheRead: tokenCount(usage.cacheRead),
          cacheWrite: tokenCount(usage.cacheWrite),
        },
        usage.total ?? usage.totalTokens,
      );
    }
    case "openai-chat": {
      // prompt_tokens includes cached (and, behind Anthropic-fronting proxies, written) tokens.
      const details = child(usage, "prompt_tokens_details");
      const cacheRead = tokenCount(
        details.cached_tokens ?? usage.prompt_cache_hit_tokens ?? usage.cache_read_input_tokens,
      );
      const cacheWrite = tokenCount(
        details.cache_write_tokens ??
          details.cache_creation_input_tokens ??
          usage.cache_creation_input_tokens,
      );
      const prompt = tokenCount(usage.prompt_tokens);
      return finish(
        shape,
        {
          input: Math.max(0, prompt - cacheRead - cacheWrite),
          output: tokenCount(usage.completion_tokens),
          cacheRead,
          cacheWrite,
        },
        usage.total_tokens,
      );
    }
    case "openai-responses": {
      const details = child(usage, "input_tokens_details");
      const cacheRead = tokenCount(details.cached_tokens);
      const cacheWrite = tokenCount(details.cache_write_tokens);
      return finish(
        shape,
        {
          input: Math.max(0, tokenCount(usage.input_tokens) - cacheRead - cacheWrite),
          output: tokenCount(usage.output_tokens),
          cacheRead,
          cacheWrite,
        },
        usage.total_tokens,
      );
    }
    case "anthropic":
      // Anthropic's input_tokens already excludes cache reads and cache creation.
      return finish(
        shape,
        {
          input: tokenCount(usage.input_tokens),
          output: tokenCount(usage.output_tokens),
          cacheRead: tokenCount(usage.cache_read_input_tokens),
          cacheWrite: tokenCount(usage.cache_creation_input_tokens),
        },
        undefined,
      );
    case "google": {
      // promptTokenCount includes cachedContentTokenCount; tool-use prompt and thoughts count too.
      const cacheRead = tokenCount(usage.cachedContentTokenCount);
      return finish(
        shape,
        {
          input:
            Math.max(0, tokenCount(usage.promptTokenCount) - cacheRead) +
            tokenCount(usage.toolUsePromptTokenCount),
          output: tokenCount(usage.candidatesTokenCount) + tokenCount(usage.thoughtsTokenCount),
          cacheRead,
          cacheWrite: 0,
        },
        usage.totalTokenCount,
      );
    }
    case "bedrock":
      // Converse: inputTokens excludes cache reads/writes (totalTokens = all four summed).
      return finish(
        shape,
        {
          input: tokenCount(usage.inputTokens),
          output: tokenCount(usage.outputTokens),
          cacheRead: tokenCount(usage.cacheReadInputTokens),
          cacheWrite: tokenCount(usage.cacheWriteInputTokens),
        },
        usage.totalTokens,
      );
  }
}

/** Field-wise a - b, never below zero (what a run total leaves after its itemised calls). */
export function subtractUsage(a: NormalizedUsage, b: NormalizedUsage): NormalizedUsage {
  const input = Math.max(0, a.input - b.input);
  const output = Math.max(0, a.output - b.output);
  const cacheRead = Math.max(0, a.cacheRead - b.cacheRead);
  const cacheWrite = Math.max(0, a.cacheWrite - b.cacheWrite);
  return {
    input,
    output,
    cacheRead,
    cacheWrite,
    total: input + output + cacheRead + cacheWrite,
    known: a.known,
    shape: a.shape,
  };
}

/** Field-wise sum; known when either side is. */
export function addUsage(a: NormalizedUsage, b: NormalizedUsage): NormalizedUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    total: a.total + b.total,
    known: a.known || b.known,
    shape: a.shape === "unknown" ? b.shape : a.shape,
  };
}

/** True when any token bucket is non-zero. */
export const hasTokens = (usage: NormalizedUsage): boolean =>
  usage.input + usage.output + usage.cacheRead + usage.cacheWrite > 0;
