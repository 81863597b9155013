/**
 * Puts `prefix` and `suffix` on their own lines around the text. Idempotent: text that already
 * starts with the prefix and ends with the suffix (after trimming) comes back unchanged, so a
 * retried or re-hooked send is never wrapped twice. Blank text is never wrapped.
 */
export function withWrapper(content: string, prefix: string, suffix: string): string {
  const trimmed = content.trim();
  if (!trimmed) return content;
  if (trimmed.startsWith(prefix) && trimmed.endsWith(suffix)) return content;
  return [prefix, trimmed, suffix].filter((line) => line !== "").join("\n");
}
