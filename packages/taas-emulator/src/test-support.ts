import type { Usage } from "./completion-format.ts";
import { DEFAULT_API_KEY } from "./options.ts";
import type { EmulatorHandler } from "./types.ts";

// Shared by the *.test.ts files; not part of the package API.

export const BASE = "http://emulator.test";
export const AUTH = { authorization: `Bearer ${DEFAULT_API_KEY}` };

export function chatRequest(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE}/v1/chat/completions`, {
    method: "POST",
    headers: { ...AUTH, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export interface JsonReply {
  response: Response;
  json: Record<string, unknown>;
}

export async function postChat(
  handler: EmulatorHandler,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonReply> {
  const response = await handler(chatRequest(body, headers));
  const json: unknown = await response.json();
  return { response, json: json as Record<string, unknown> };
}

/** The usage object as the emulator sends it (the production type, not a copy). */
export type UsageShape = Usage;

export interface ChoiceShape {
  index: number;
  finish_reason: string | null;
  message: {
    role: string;
    content: string | null;
    tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  };
}

export function usageOf(json: Record<string, unknown>): UsageShape {
  return json.usage as UsageShape;
}

export function firstChoice(json: Record<string, unknown>): ChoiceShape {
  const choices = json.choices as ChoiceShape[];
  const choice = choices[0];
  if (choice === undefined) throw new Error("response has no choices");
  return choice;
}

/** The `data:` payloads of an SSE body, JSON-parsed except for the `[DONE]` sentinel. */
export function parseSse(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((event) => event.trim() !== "")
    .map((event) => {
      const data = event.replace(/^data: /, "");
      return data === "[DONE]" ? data : JSON.parse(data);
    });
}

/** Roughly `words` tokens of varied filler text (each word is about one o200k token). */
export function filler(words: number, seed = "w"): string {
  return Array.from({ length: words }, (_, i) => `${seed}${i % 97}`).join(" ");
}

export function userMessage(content: unknown): { role: string; content: unknown } {
  return { role: "user", content };
}
