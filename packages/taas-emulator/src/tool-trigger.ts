export interface ToolTrigger {
  name: string;
  /** Parsed argument object, or null when the text after the name was not a JSON object. */
  args: Record<string, unknown> | null;
}

const TRIGGER_START = /\[\[tool:([A-Za-z0-9_.-]+)/g;

/**
 * Finds every `[[tool:NAME ARGS_JSON]]` in a text. ARGS_JSON may itself contain `]]`, so each
 * `]]` after the name is tried in turn until the text before it parses as a JSON object.
 */
export function parseToolTriggers(text: string): ToolTrigger[] {
  const triggers: ToolTrigger[] = [];
  TRIGGER_START.lastIndex = 0;
  for (let match = TRIGGER_START.exec(text); match !== null; match = TRIGGER_START.exec(text)) {
    const name = match[1] ?? "";
    const argsStart = match.index + match[0].length;
    const firstClose = text.indexOf("]]", argsStart);
    if (firstClose < 0) break;
    const rest = text.slice(argsStart, firstClose);
    if (rest.trim() === "") {
      triggers.push({ name, args: {} });
      TRIGGER_START.lastIndex = firstClose + 2;
      continue;
    }
    let args: Record<string, unknown> | null = null;
    let end = firstClose;
    for (let close = firstClose; close >= 0; close = text.indexOf("]]", close + 1)) {
      const parsed = parseObject(text.slice(argsStart, close));
      if (parsed !== null) {
        args = parsed;
        end = close;
        break;
      }
    }
    triggers.push({ name, args });
    TRIGGER_START.lastIndex = end + 2;
  }
  return triggers;
}

function parseObject(source: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(source);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Not this `]]`; the caller tries the next one.
  }
  return null;
}
