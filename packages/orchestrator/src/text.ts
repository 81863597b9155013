import { isRecord } from "@cloudsigma/taas-core/records";

/** Small text helpers shared by the prompts, the spawn specs and the tracking rows. */

/** A label safe for session titles: lower-case, dashes for spaces, [a-z0-9._-], at most 64. */
export function sanitizeLabel(input: string | undefined): string | undefined {
  const compact = (input ?? "").trim().replace(/\s+/g, "-").toLowerCase();
  const safe = compact.replace(/[^a-z0-9._-]/g, "").slice(0, 64);
  return safe || undefined;
}

/** One line of at most `max` characters (an ellipsis marks a cut). */
export function taskPreview(input: string | undefined, max = 180): string {
  const compact = (input ?? "").trim().replace(/\s+/g, " ");
  if (!compact) return "(no task)";
  return compact.length <= max ? compact : `${compact.slice(0, max - 1)}…`;
}

/** A trimmed non-empty string, or undefined. */
export function nonEmpty(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** The fields of a tool's params or result, or none when it is not an object. */
export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}
