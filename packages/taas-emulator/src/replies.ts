import { sha256Hex } from "./ids.ts";
import {
  type ChatMessage,
  contentText,
  lastUserText,
  offeredToolNames,
  toolNameFor,
} from "./messages.ts";
import { parseToolTriggers, type ToolTrigger } from "./tool-trigger.ts";

export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type ReplyPlan =
  | { kind: "text"; text: string }
  | { kind: "tool_calls"; calls: PlannedToolCall[] };

const ECHO_LIMIT = 160;
const TOOL_RESULT_LIMIT = 120;

/** The default answer: a pure function of the model and the last user message text. */
export function echoReply(model: string, userText: string): string {
  const collapsed = userText.replace(/\s+/g, " ").trim();
  const snippet =
    collapsed.length > ECHO_LIMIT ? `${collapsed.slice(0, ECHO_LIMIT)}…` : collapsed || "(empty)";
  const digest = sha256Hex(`${model}\u0000${userText}`).slice(0, 8);
  return `TaaS emulator (${model}): ${snippet} [${digest}]`;
}

/**
 * Decides between tool calls and text. The trigger message is the last user message carrying
 * a trigger; clients may append more user messages (runtime context) after tool results, so
 * the decision looks at what follows the trigger rather than at the final message.
 */
export function planReply(
  model: string,
  messages: readonly ChatMessage[],
  tools: readonly unknown[],
): ReplyPlan {
  const fallback: ReplyPlan = { kind: "text", text: echoReply(model, lastUserText(messages)) };
  let triggerIndex = -1;
  let triggers: ToolTrigger[] = [];
  for (let i = messages.length - 1; i >= 0 && triggerIndex < 0; i--) {
    const message = messages[i];
    if (message?.role !== "user") continue;
    const found = parseToolTriggers(contentText(message.content));
    if (found.length > 0) {
      triggerIndex = i;
      triggers = found;
    }
  }
  if (triggerIndex < 0) return fallback;

  const lastTool = messages.findLastIndex((m) => m.role === "tool");
  if (lastTool > triggerIndex) {
    // Once an assistant spoke after the tool result, the trigger has been fully answered.
    if (messages.slice(lastTool + 1).some((m) => m.role === "assistant")) return fallback;
    const toolMessage = messages[lastTool];
    const name = toolNameFor(messages, lastTool) ?? triggers[0]?.name ?? "tool";
    const result = contentText(toolMessage?.content).slice(0, TOOL_RESULT_LIMIT);
    return { kind: "text", text: `Tool ${name} returned: ${result}` };
  }
  // Any assistant turn after the trigger means it was already answered: never call twice.
  if (messages.slice(triggerIndex + 1).some((m) => m.role === "assistant")) return fallback;

  const offered = offeredToolNames(tools);
  const missing = triggers.find((trigger) => !offered.includes(trigger.name));
  if (missing !== undefined) {
    const list = offered.length > 0 ? offered.join(", ") : "none";
    return {
      kind: "text",
      text: `Tool ${missing.name} is not offered in this request (offered: ${list}).`,
    };
  }
  const invalid = triggers.find((trigger) => trigger.args === null);
  if (invalid !== undefined) {
    return { kind: "text", text: `Tool trigger for ${invalid.name} has invalid JSON arguments.` };
  }
  const seed = contentText(messages[triggerIndex]?.content);
  return {
    kind: "tool_calls",
    calls: triggers.map((trigger, index) => ({
      id: `call_${sha256Hex(`${seed}\u0000${index}`).slice(0, 24)}`,
      name: trigger.name,
      arguments: JSON.stringify(trigger.args ?? {}),
    })),
  };
}
