import { isRecord } from "@cloudsigma/taas-core/records";
/**
 * Where a prompt's characters come from (system prompt, the new user prompt, history, tool
 * schemas), from the host's `llm_input` event, and a bounded dump of the largest parts for a
 * large-prompt alert. Previews of message text are opt-in: they may hold private text.
 */

export interface PromptInput {
  systemPrompt?: unknown;
  prompt?: unknown;
  historyMessages?: unknown;
  tools?: unknown;
  imagesCount?: unknown;
}

export interface PromptBreakdown {
  systemChars: number;
  promptChars: number;
  historyChars: number;
  historyMessages: number;
  /** Model-facing schema (name, description, parameters) of every tool the run had available. */
  toolSchemaChars: number;
  toolCount: number;
  imagesCount: number;
  /**
   * system + prompt + history: the text the host always sends. Tool schemas are reported but
   * not counted: with tool search the host sends only some of the tools it lists in
   * `llm_input` (12 of 58 in a stock 2026.9.6 run), and the event does not say which.
   */
  totalChars: number;
}

export interface DumpOptions {
  /** How many of the largest history messages and tools to list. */
  maxItems: number;
  /** Include the first `previewChars` characters of each listed text (off by default). */
  previews: boolean;
  previewChars: number;
}

export interface PromptDump {
  breakdown: PromptBreakdown;
  largestMessages: Array<{ index: number; role: string; chars: number; preview?: string }>;
  largestTools: Array<{ name: string; chars: number }>;
  systemPreview?: string;
  promptPreview?: string;
}

function jsonLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0; // cyclic or otherwise unserialisable: not sent as is either
  }
}

/** Text a message carries: its text parts, thinking and tool-call arguments; images excluded. */
function messageText(message: unknown): string {
  const content = isRecord(message) ? message.content : undefined;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return content === undefined ? "" : (JSON.stringify(content) ?? "");
  let out = "";
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (typeof part.text === "string") out += part.text;
    else if (typeof part.thinking === "string") out += part.thinking;
    else if (part.type === "toolCall" || part.type === "tool_use")
      out += `${String(part.name ?? "")}${JSON.stringify(part.arguments ?? part.input ?? {})}`;
    else if (part.type !== "image") out += JSON.stringify(part) ?? "";
  }
  return out;
}

/** What a provider receives for a tool: its name, description and parameter schema. */
function toolSchemaLength(tool: unknown): number {
  if (!isRecord(tool)) return 0;
  return jsonLength({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
  });
}

const chars = (value: unknown): number => (typeof value === "string" ? value.length : 0);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function promptBreakdown(input: PromptInput): PromptBreakdown {
  const history = list(input.historyMessages);
  const tools = list(input.tools);
  const systemChars = chars(input.systemPrompt);
  const promptChars = chars(input.prompt);
  const historyChars = history.reduce<number>((sum, m) => sum + messageText(m).length, 0);
  const toolSchemaChars = tools.reduce<number>((sum, tool) => sum + toolSchemaLength(tool), 0);
  const images = input.imagesCount;
  return {
    systemChars,
    promptChars,
    historyChars,
    historyMessages: history.length,
    toolSchemaChars,
    toolCount: tools.length,
    imagesCount: typeof images === "number" && Number.isFinite(images) && images > 0 ? images : 0,
    totalChars: systemChars + promptChars + historyChars,
  };
}

function preview(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

/** The bounded dump: the breakdown, the largest messages and tools, previews only if asked. */
export function promptDump(input: PromptInput, options: DumpOptions): PromptDump {
  const breakdown = promptBreakdown(input);
  const limit = Math.max(0, options.previewChars);
  const largestMessages = list(input.historyMessages)
    .map((message, index) => {
      const text = messageText(message);
      const role = isRecord(message) && typeof message.role === "string" ? message.role : "unknown";
      return { index, role, chars: text.length, text };
    })
    .sort((a, b) => b.chars - a.chars || a.index - b.index)
    .slice(0, options.maxItems)
    .map(({ text, ...entry }) =>
      options.previews ? { ...entry, preview: preview(text, limit) } : entry,
    );
  const largestTools = list(input.tools)
    .map((tool) => ({
      name: isRecord(tool) && typeof tool.name === "string" ? tool.name : "unknown",
      chars: toolSchemaLength(tool),
    }))
    .sort((a, b) => b.chars - a.chars || a.name.localeCompare(b.name))
    .slice(0, options.maxItems);
  return {
    breakdown,
    largestMessages,
    largestTools,
    ...(options.previews
      ? {
          systemPreview: preview(
            typeof input.systemPrompt === "string" ? input.systemPrompt : "",
            limit,
          ),
          promptPreview: preview(typeof input.prompt === "string" ? input.prompt : "", limit),
        }
      : {}),
  };
}
