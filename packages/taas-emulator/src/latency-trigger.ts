import { type ChatMessage, contentText } from "./messages.ts";

/** Longest delay a message may ask for, so a typo cannot park a request for hours. */
export const MAX_TRIGGER_LATENCY_MS = 600_000;

const LATENCY_TRIGGER = /\[\[latency:(\d{1,9})\]\]/g;

/**
 * The delay `[[latency:MS]]` asks for, capped at MAX_TRIGGER_LATENCY_MS; 0 without one. The
 * trigger message is the last user message carrying a trigger (the last trigger in its text
 * wins), as for tool triggers: OpenClaw appends its runtime context as a later user message.
 * Once an assistant message follows the trigger the turn was answered, so later turns of the
 * conversation are not delayed again. Tests use it to hold one conversation's model call in
 * flight while others complete, which a single emulator-wide latency cannot do.
 */
export function triggeredLatencyMs(messages: readonly ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === "assistant") return 0;
    if (message?.role !== "user") continue;
    let found = -1;
    for (const match of contentText(message.content).matchAll(LATENCY_TRIGGER)) {
      found = Number(match[1]);
    }
    if (found >= 0) return Math.min(found, MAX_TRIGGER_LATENCY_MS);
  }
  return 0;
}
