/**
 * The message of a thrown value, for a log line or an error answer: an Error's message, else
 * the value as text. Bounded, because a thrown value can carry a whole request or file.
 */
export function errorText(error: unknown, maxLength = 500): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > maxLength ? `${text.slice(0, maxLength)}...` : text;
}

/**
 * Offending input as an error message quotes it: JSON, at most `maxLength` characters, so a
 * caller who sent a megabyte gets a readable answer and the log stays small.
 */
export function quoteInput(value: unknown, maxLength = 100): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength)}...` : text;
}
