/**
 * The message of a thrown value, for a log line or an error answer: an Error's message, else
 * the value as text. Bounded, because a thrown value can carry a whole request or file.
 */
export function errorText(error: unknown, maxLength = 500): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > maxLength ? `${text.slice(0, maxLength)}...` : text;
}
