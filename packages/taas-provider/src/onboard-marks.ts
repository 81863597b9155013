import { shortHash } from "@cloudsigma/taas-core/hash";
import { isRecord } from "@cloudsigma/taas-core/records";

/**
 * How onboarding tells the catalog rows it wrote from rows an operator wrote or edited. For each
 * row it writes into `models.providers.cloudsigma.models` it records `<model id>#<digest>` in
 * `plugins.entries.cloudsigma.config.onboardedRows`, where the digest is a hash of the whole row.
 * On the next onboarding a row whose content still hashes to its recorded digest is onboarding's
 * own and is replaced with the current value; a row with no mark, or whose content changed since,
 * is the operator's and is kept as it is.
 */

/** Separates the id from the digest; model ids never contain it. */
const SEPARATOR = "#";

/** The digest of one row: key order does not matter, every value does. */
export function rowDigest(row: unknown): string {
  return shortHash(
    JSON.stringify(row, (_key, value: unknown) =>
      isRecord(value) ? Object.fromEntries(Object.entries(value).sort(byKey)) : value,
    ),
  );
}

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/** The stored marks, read leniently: onboarding never fails over a damaged list. */
export function storedMarks(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}

/** Marks as the plugin config stores them; entries that are not `<id>#<digest>` are ignored. */
export function readMarks(entries: readonly string[]): Map<string, string> {
  const marks = new Map<string, string>();
  for (const entry of entries) {
    const at = entry.lastIndexOf(SEPARATOR);
    if (at > 0 && at < entry.length - 1) marks.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return marks;
}

export function writeMarks(marks: ReadonlyMap<string, string>): string[] {
  return [...marks].map(([id, digest]) => `${id}${SEPARATOR}${digest}`);
}

/**
 * Digests of the rows onboarding wrote before it kept marks (package 0.2.0, the 13 seed routes
 * as that release published them). An unmarked row equal to one of these is onboarding's old
 * output, not an edit, so upgrading from that release refreshes it too.
 */
const ROWS_WRITTEN_BEFORE_MARKS = new Set<string>([
  "0ff6383d6415d6ec", // gpt-5.5
  "f98e77a532b67776", // gpt-5.4
  "0a65561f91a153b8", // claude-fable-5
  "2db4c613269cd852", // claude-opus-4.8
  "82c0412128ca26dc", // claude-sonnet-4.6
  "ed32208484e65d81", // gemini-3.1-flash-lite
  "9da92eeb658bab14", // kimi-k2.6
  "6648a3ec217691db", // qwen3-vl
  "c645b33e4f65df45", // pixtral-large
  "5143d16926d9cc21", // qwen2.5-vl-72b
  "46a002d1045513d8", // llama-3.3-70b
  "3080f29191aaed17", // qwen3-235b
  "26df69ebf2c93427", // glm-4.5-air
]);

/** Whether `row` is exactly what onboarding wrote (per its mark, or as 0.2.0 wrote it). */
export function isOnboardingsRow(row: unknown, marks: ReadonlyMap<string, string>): boolean {
  const id = isRecord(row) ? row.id : undefined;
  if (typeof id !== "string") return false;
  const digest = rowDigest(row);
  const mark = marks.get(id);
  return mark === undefined ? ROWS_WRITTEN_BEFORE_MARKS.has(digest) : mark === digest;
}
