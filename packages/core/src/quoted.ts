/**
 * Text from outside (a config value, a tool name a model chose, a task) as a log line or an
 * error answer quotes it: JSON-quoted, so a newline or a control character cannot forge
 * another log line, and cut to `max` characters, so a huge value cannot flood the log.
 */
export function quoted(value: unknown, max = 100): string {
  const text = typeof value === "string" ? value : String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
