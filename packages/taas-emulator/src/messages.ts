/** The subset of an OpenAI chat message the emulator reads; everything else is passed over. */
export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
  name?: unknown;
}

const IMAGE_PART_TYPES = new Set(["image_url", "image", "input_image"]);

export function asRecord(value: unknown): Record<string, unknown> | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  return value as Record<string, unknown>;
}

export function isChatMessage(value: unknown): value is ChatMessage {
  const record = asRecord(value);
  return record !== null && typeof record.role === "string";
}

/** Text of string content, or of the `text` parts of array content joined by newlines. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content) {
    const record = asRecord(part);
    if (record !== null && typeof record.text === "string") texts.push(record.text);
  }
  return texts.join("\n");
}

export function hasImagePart(messages: readonly ChatMessage[]): boolean {
  return messages.some(
    (message) =>
      Array.isArray(message.content) &&
      message.content.some((part) => {
        const type = asRecord(part)?.type;
        return typeof type === "string" && IMAGE_PART_TYPES.has(type);
      }),
  );
}

const CONTEXT_START = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>";
const CONTEXT_END = "<<<END_OPENCLAW_INTERNAL_CONTEXT>>>";

/** A user message that is only OpenClaw's appended runtime context, not something a person typed. */
function isContextOnly(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith(CONTEXT_START) && trimmed.endsWith(CONTEXT_END);
}

/**
 * Text of the last user message, skipping the runtime-context messages OpenClaw appends after
 * the prompt (so a reply echoes what was asked); the last context message if there is nothing else.
 */
export function lastUserText(messages: readonly ChatMessage[]): string {
  let contextOnly: string | undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== "user") continue;
    const text = contentText(message.content);
    if (!isContextOnly(text)) return text;
    contextOnly ??= text;
  }
  return contextOnly ?? "";
}

/** Names of the `function` tools a request offers. */
export function offeredToolNames(tools: readonly unknown[]): string[] {
  const names: string[] = [];
  for (const tool of tools) {
    const name = asRecord(asRecord(tool)?.function)?.name;
    if (typeof name === "string") names.push(name);
  }
  return names;
}

/** Name of the tool a `role: "tool"` message answers, found through the assistant's call id. */
export function toolNameFor(messages: readonly ChatMessage[], toolIndex: number): string | null {
  const message = messages[toolIndex];
  if (message === undefined) return null;
  if (typeof message.name === "string") return message.name;
  for (let i = toolIndex - 1; i >= 0; i--) {
    const calls = messages[i]?.tool_calls;
    if (!Array.isArray(calls)) continue;
    for (const call of calls) {
      const record = asRecord(call);
      const name = asRecord(record?.function)?.name;
      if (record?.id === message.tool_call_id && typeof name === "string") return name;
    }
  }
  return null;
}
