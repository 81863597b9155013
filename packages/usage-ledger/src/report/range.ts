import { quoted } from "@cloudsigma/taas-core/quoted";

/** Report time ranges: `--since 7d` (m/h/d/w), an ISO date or date-time, or `all`. */

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export class RangeParseError extends Error {
  constructor(flag: string, value: string) {
    super(
      `${flag} ${quoted(value)} is not a duration (30m, 24h, 7d, 2w), an ISO date (2026-11-01) or "all"`,
    );
    this.name = "RangeParseError";
  }
}

/** Epoch ms for a `--since`-style value relative to `now`. */
export function parseSince(value: string, now: number, flag = "--since"): number {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === "all") return 0;
  const relative = /^(\d{1,6})([mhdw])$/.exec(trimmed);
  if (relative) {
    const [, amount = "0", unit = "d"] = relative;
    return Math.max(0, now - Number(amount) * (UNIT_MS[unit] ?? 0));
  }
  return parseDate(value, flag);
}

/**
 * The exclusive end of a report range. Without a value it is just after `now`, so a row
 * recorded in the very millisecond of the report is included; a duration counts back from
 * now, like --since.
 */
export function parseUntil(value: string | undefined, now: number): number {
  const trimmed = value?.trim().toLowerCase() ?? "";
  if (trimmed === "" || trimmed === "now") return now + 1;
  return parseSince(trimmed, now, "--until");
}

function parseDate(value: string, flag: string): number {
  const trimmed = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    throw new RangeParseError(flag, value);
  }
  // A bare date means midnight UTC, as reports group days in UTC.
  const parsed = Date.parse(trimmed.length === 10 ? `${trimmed}T00:00:00Z` : trimmed);
  if (!Number.isFinite(parsed)) throw new RangeParseError(flag, value);
  return parsed;
}
