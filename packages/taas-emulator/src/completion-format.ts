import type { ReplyPlan } from "./replies.ts";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface UsageInput {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Longest cacheable prefix of this prompt (what is in the cache after this request). */
  cacheableTokens: number;
  anthropic: boolean;
}

export function buildUsage(input: UsageInput): Usage {
  const usage: Usage = {
    prompt_tokens: input.promptTokens,
    completion_tokens: input.completionTokens,
    total_tokens: input.promptTokens + input.completionTokens,
    prompt_tokens_details: { cached_tokens: input.cachedTokens },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
  if (input.anthropic) {
    usage.cache_read_input_tokens = input.cachedTokens;
    usage.cache_creation_input_tokens = Math.max(0, input.cacheableTokens - input.cachedTokens);
  }
  return usage;
}

export interface Completion {
  id: string;
  created: number;
  model: string;
  plan: ReplyPlan;
  usage: Usage;
}

function finishReason(plan: ReplyPlan): "stop" | "tool_calls" {
  return plan.kind === "tool_calls" ? "tool_calls" : "stop";
}

export function completionBody(completion: Completion): Record<string, unknown> {
  const { plan } = completion;
  const message =
    plan.kind === "text"
      ? { role: "assistant", content: plan.text, refusal: null }
      : {
          role: "assistant",
          content: null,
          refusal: null,
          tool_calls: plan.calls.map((call) => ({
            id: call.id,
            type: "function",
            function: { name: call.name, arguments: call.arguments },
          })),
        };
  return {
    id: completion.id,
    object: "chat.completion",
    created: completion.created,
    model: completion.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(plan) }],
    usage: completion.usage,
  };
}

/** Splits text into at most `parts` pieces at word boundaries; joined they equal the input. */
export function splitText(text: string, parts: number): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  if (words.length === 0) return [text];
  const perPart = Math.ceil(words.length / parts);
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += perPart) {
    pieces.push(words.slice(i, i + perPart).join(""));
  }
  return pieces;
}

function splitEvenly(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces.length > 0 ? pieces : [""];
}

/** The `data:` payloads of an OpenAI chat completion stream, ending with `[DONE]`. */
export function completionEvents(completion: Completion, includeUsage: boolean): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
    JSON.stringify({
      id: completion.id,
      object: "chat.completion.chunk",
      created: completion.created,
      model: completion.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
  const { plan } = completion;
  const events: string[] = [];
  if (plan.kind === "text") {
    events.push(chunk({ role: "assistant", content: "" }, null));
    for (const piece of splitText(plan.text, 4)) events.push(chunk({ content: piece }, null));
  } else {
    events.push(chunk({ role: "assistant", content: null }, null));
    plan.calls.forEach((call, index) => {
      const head = {
        index,
        id: call.id,
        type: "function",
        function: { name: call.name, arguments: "" },
      };
      events.push(chunk({ tool_calls: [head] }, null));
      for (const piece of splitEvenly(call.arguments, 3)) {
        events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
      }
    });
  }
  events.push(chunk({}, finishReason(plan)));
  if (includeUsage) {
    events.push(
      JSON.stringify({
        id: completion.id,
        object: "chat.completion.chunk",
        created: completion.created,
        model: completion.model,
        choices: [],
        usage: completion.usage,
      }),
    );
  }
  events.push("[DONE]");
  return events;
}

/** One SSE event per pull, so an HTTP adapter writes (and a client sees) them one at a time. */
export function sseStream(events: readonly string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const event = events[next++];
      if (event === undefined) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(`data: ${event}\n\n`));
    },
  });
}
