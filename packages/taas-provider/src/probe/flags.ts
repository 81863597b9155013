import { quoted } from "@cloudsigma/taas-core/quoted";
import { PROBE_CAPS } from "./budget.ts";
import { DEFAULT_MEASURE, type MeasureOptions } from "./measure.ts";

/** The flags of `openclaw cloudsigma probe`, as commander hands them over. */
export interface ProbeFlags {
  model?: string[];
  json?: boolean;
  yes?: boolean;
  lifetime?: string;
  maxRequests?: string;
  maxTokens?: string;
  rate?: string;
  prefixTokens?: string;
  timeout?: string;
}

export interface ParsedProbeFlags {
  models: string[];
  json: boolean;
  yes: boolean;
  measure: MeasureOptions;
  caps: { maxRequests: number; maxTokens: number };
  timeoutMs: number;
}

/** The longest idle lifetime the probe will wait out (Anthropic's longest TTL is 1 h). */
const LIFETIME_CEILING_MS = 2 * 3_600_000;
/** Halvings of the lifetime bracket: the answer is within bound / 64. */
const LIFETIME_STEPS = 6;

export class ProbeFlagError extends Error {}

function integer(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max)
    throw new ProbeFlagError(
      `--${name} must be a whole number from ${min} to ${max}, got ${quoted(raw, 40)}`,
    );
  return value;
}

/** `90`, `90s`, `15m` or `1h` as milliseconds. */
function duration(name: string, raw: string, max: number): number {
  const match = /^(\d+)\s*(s|m|h)?$/.exec(raw.trim());
  const unit = { s: 1_000, m: 60_000, h: 3_600_000 }[match?.[2] ?? "s"] ?? 1_000;
  const ms = match ? Number(match[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1_000 || ms > max)
    throw new ProbeFlagError(
      `--${name} must be a duration from 1s to ${max / 3_600_000}h (e.g. 600s, 15m), got ${quoted(raw, 40)}`,
    );
  return ms;
}

/** Checks every flag against its range; a bad one is refused by name (ProbeFlagError). */
export function parseProbeFlags(flags: ProbeFlags, defaultModel: string): ParsedProbeFlags {
  const models = [...new Set((flags.model ?? []).map((m) => m.trim()).filter(Boolean))];
  if (models.some((m) => m.length > 200 || !/^[\x21-\x7e]+$/.test(m)))
    throw new ProbeFlagError("--model must be a model id (no spaces or control characters)");
  const maxRequests = integer(
    "max-requests",
    flags.maxRequests,
    PROBE_CAPS.requests.default,
    1,
    PROBE_CAPS.requests.ceiling,
  );
  const maxTokens = integer(
    "max-tokens",
    flags.maxTokens,
    PROBE_CAPS.tokens.default,
    1_000,
    PROBE_CAPS.tokens.ceiling,
  );
  const measure: MeasureOptions = {
    ...DEFAULT_MEASURE,
    ratePerMinute: integer("rate", flags.rate, DEFAULT_MEASURE.ratePerMinute, 0, 600),
    prefixWords: integer(
      "prefix-tokens",
      flags.prefixTokens,
      DEFAULT_MEASURE.prefixWords,
      256,
      65_536,
    ),
  };
  if (flags.lifetime !== undefined)
    measure.lifetime = {
      boundMs: duration("lifetime", flags.lifetime, LIFETIME_CEILING_MS),
      steps: LIFETIME_STEPS,
    };
  return {
    models: models.length > 0 ? models : [defaultModel],
    json: flags.json === true,
    yes: flags.yes === true,
    measure,
    caps: { maxRequests, maxTokens },
    timeoutMs: integer("timeout", flags.timeout, 60, 1, 600) * 1_000,
  };
}
