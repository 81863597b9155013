import { describe, expect, it } from "vitest";
import { parseSince, parseUntil, RangeParseError } from "./range.ts";

const now = Date.UTC(2026, 10, 21, 12, 0, 0);

describe("parseSince", () => {
  it.each([
    ["30m", now - 30 * 60_000],
    ["24h", now - 86_400_000],
    ["7d", now - 7 * 86_400_000],
    ["2w", now - 14 * 86_400_000],
    [" 7D ", now - 7 * 86_400_000],
    ["all", 0],
    ["2026-11-01", Date.UTC(2026, 10, 1)],
    ["2026-11-01T06:30:00Z", Date.UTC(2026, 10, 1, 6, 30)],
    ["2026-11-01T06:30:00+02:00", Date.UTC(2026, 10, 1, 4, 30)],
  ])("%s", (value, expected) => {
    expect(parseSince(value, now)).toBe(expected);
  });

  it.each(["", "7", "7 days", "-1d", "yesterday", "2026-13-45", "1e3d"])(
    "rejects %j with a usable message",
    (value) => {
      expect(() => parseSince(value, now)).toThrow(RangeParseError);
      expect(() => parseSince(value, now)).toThrow(
        /--since .* is not a duration \(30m, 24h, 7d, 2w\)/,
      );
    },
  );

  it("defaults --until to just after now (the range end is exclusive)", () => {
    expect(parseUntil(undefined, now)).toBe(now + 1);
    expect(parseUntil("now", now)).toBe(now + 1);
    expect(parseUntil("1d", now)).toBe(now - 86_400_000);
    expect(() => parseUntil("soon", now)).toThrow(/--until/);
  });
});
