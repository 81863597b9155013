/** The longest header value the suite ever sends; ids are far shorter. */
const MAX_HEADER_VALUE_LENGTH = 256;

/**
 * Makes a value safe to send as an HTTP header: printable ASCII only (CR, LF and other control
 * or non-ASCII characters would split or corrupt the header block), trimmed, length-bounded.
 * Returns undefined when nothing usable is left, so callers can skip the header.
 */
export function sanitizeHeaderValue(
  value: unknown,
  maxLength = MAX_HEADER_VALUE_LENGTH,
): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const cleaned = String(value)
    .replace(/[^\x20-\x7e]/g, "")
    .trim()
    .slice(0, Math.max(0, maxLength))
    .trim();
  return cleaned.length > 0 ? cleaned : undefined;
}

/** Ours first, the caller's on top: a header the caller already set (any case) keeps its value. */
export function mergeHeadersCallerWins(
  ours: Record<string, string>,
  caller: Record<string, string> | undefined,
): Record<string, string> {
  if (!caller) return ours;
  const merged: Record<string, string> = {};
  const callerNames = new Set(Object.keys(caller).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(ours))
    if (!callerNames.has(name.toLowerCase())) merged[name] = value;
  return Object.assign(merged, caller);
}
