import { setTimeout as delay } from "node:timers/promises";
import { autoroute, autorouteHeaders, requestedAlgorithm } from "./autorouter.ts";
import { readBodyText } from "./body.ts";
import { cacheTruthHeaders } from "./cache-cause.ts";
import { cacheProfileFor } from "./cache-profiles.ts";
import { AUTO_MODEL_ID, DEFAULT_MODEL_ID, findModel, isChatModel } from "./catalog.ts";
import { type ChatRoutingState, type RoutedChat, routeChat } from "./chat-routing.ts";
import { buildUsage, completionBody, completionEvents, sseStream } from "./completion-format.ts";
import { ApiError, jsonResponse } from "./errors.ts";
import { newCompletionId } from "./ids.ts";
import { triggeredLatencyMs } from "./latency-trigger.ts";
import { asRecord, type ChatMessage, isChatMessage } from "./messages.ts";
import { type PrefixServingState, servePrefix } from "./prefix-serving.ts";
import { countTextTokens, type PromptTokenizer, type TokenizedPrompt } from "./prompt-tokens.ts";
import type { RecordDraft, ReplicaStatsTracker } from "./recorder.ts";
import { planReply, type ReplyPlan } from "./replies.ts";
import type { ModelRow, ResolvedOptions } from "./types.ts";

export interface ChatState extends ChatRoutingState {
  options: ResolvedOptions;
  tokenizer: PromptTokenizer;
  prefix: PrefixServingState;
  stats: ReplicaStatsTracker;
}

interface ParsedChat {
  body: Record<string, unknown>;
  model: string;
  messages: ChatMessage[];
  tools: unknown[];
}

function invalid(message: string, param: string | null, code: string | null = null): ApiError {
  return new ApiError(400, message, { param, code });
}

function parseChatBody(text: string): ParsedChat {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid("We could not parse the JSON body of your request.", null, "invalid_json");
  }
  const body = asRecord(parsed);
  if (body === null) throw invalid("The request body must be a JSON object.", null, "invalid_json");
  return {
    body,
    model: typeof body.model === "string" ? body.model : "",
    messages: Array.isArray(body.messages) ? body.messages.filter(isChatMessage) : [],
    tools: Array.isArray(body.tools) ? body.tools : [],
  };
}

function validate(chat: ParsedChat): void {
  const { body } = chat;
  if (typeof body.model !== "string" || body.model.length === 0) {
    throw invalid("You must provide a model parameter.", "model", "missing_model");
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw invalid("'messages' must be a non-empty array.", "messages", "missing_messages");
  }
  if (chat.messages.length !== body.messages.length) {
    throw invalid("Every message must be an object with a string 'role'.", "messages");
  }
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) {
    throw invalid("'tools' must be an array.", "tools");
  }
}

function requestedModel(models: readonly ModelRow[], id: string): ModelRow | null {
  if (id === AUTO_MODEL_ID) return null;
  const model = findModel(models, id);
  if (model === undefined) {
    throw invalid(`The model '${id}' does not exist.`, "model", "model_not_found");
  }
  if (!isChatModel(model)) {
    throw invalid(
      `The model '${id}' does not support chat completions.`,
      "model",
      "model_not_supported",
    );
  }
  return model;
}

/** The autorouter's pick, or the default/first chat row when a custom catalog lacks it. */
function catalogRowFor(models: readonly ModelRow[], id: string): ModelRow {
  const row =
    [id, DEFAULT_MODEL_ID]
      .map((candidate) => findModel(models, candidate))
      .find((m) => m !== undefined) ?? models.find(isChatModel);
  if (row === undefined) throw new ApiError(500, "The catalog has no chat model to route to.");
  return row;
}

function completionTokensOf(plan: ReplyPlan): number {
  if (plan.kind === "text") return countTextTokens(plan.text);
  return plan.calls.reduce((sum, call) => sum + countTextTokens(call.name + call.arguments), 0);
}

export async function handleChat(
  req: Request,
  state: ChatState,
  draft: RecordDraft,
): Promise<Response> {
  const { options } = state;
  const chat = parseChatBody(await readBodyText(req, options.maxBodyBytes));
  draft.body = chat.body;
  draft.stream = chat.body.stream === true;
  draft.model = chat.model || null;
  validate(chat);
  let model = requestedModel(options.models, chat.model);

  const prompt = state.tokenizer.tokenizePrompt(chat.tools, chat.messages);
  const { tokens } = prompt;
  draft.promptTokens = tokens.length;
  const headers = new Headers();
  if (model === null) {
    const decision = autoroute({ ...chat, promptTokens: tokens.length });
    model = catalogRowFor(options.models, decision.model);
    const algorithm = options.autorouterAlgorithms ? requestedAlgorithm(req.headers) : null;
    draft.autorouterAlgorithm = algorithm;
    const routed = autorouteHeaders(
      { ...decision, model: model.id },
      model.context_window,
      algorithm,
    );
    for (const [name, value] of Object.entries(routed)) headers.set(name, value);
    draft.model = model.id;
  }
  if (tokens.length > model.context_window) {
    throw invalid(
      `This model's maximum context length is ${model.context_window} tokens, but the prompt has ${tokens.length} tokens.`,
      "messages",
      "context_length_exceeded",
    );
  }

  const plan = planReply(model.id, chat.messages, chat.tools);
  const continuity = {
    messages: chat.messages,
    segmentIds: prompt.segmentIds,
    toolCount: chat.tools.length,
  };
  const request = { body: chat.body, headers: req.headers, prompt: continuity, plan };
  const route = await routeChat(state, request, draft, req.signal);
  try {
    return await answer(req, state, { chat, model, prompt, plan, route, headers }, draft);
  } finally {
    route.release();
  }
}

interface Answering {
  chat: ParsedChat;
  model: ModelRow;
  prompt: TokenizedPrompt;
  plan: ReplyPlan;
  route: RoutedChat;
  headers: Headers;
}

/** Serves the prompt from the chosen replica's cache and sends the reply, whole or streamed. */
async function answer(
  req: Request,
  state: ChatState,
  { chat, model, prompt, plan, route, headers }: Answering,
  draft: RecordDraft,
): Promise<Response> {
  const { options } = state;
  const { tokens } = prompt;
  const profile = cacheProfileFor(model.id, options);
  const { cachedTokens, cacheableTokens, truth } = servePrefix(state.prefix, {
    prompt,
    tools: chat.tools,
    messages: chat.messages,
    routingKey: route.key,
    replica: route.index,
    now: options.now(),
    model: model.id,
    profile,
    spilledFrom: route.spilledFrom,
  });
  for (const [name, value] of Object.entries(cacheTruthHeaders(truth))) headers.set(name, value);
  const { idealCachedTokens, cause: cacheCause, at: cacheCauseAt } = truth;
  Object.assign(draft, { idealCachedTokens, cacheCause, cacheCauseAt });

  const completionTokens = completionTokensOf(plan);
  Object.assign(draft, { cachedTokens, completionTokens });
  state.stats.add(route.index, { promptTokens: tokens.length, cachedTokens, completionTokens });

  const completion = {
    id: newCompletionId(),
    created: Math.floor(options.now() / 1000),
    model: model.id,
    plan,
    usage: buildUsage({
      promptTokens: tokens.length,
      completionTokens,
      cachedTokens,
      cacheableTokens,
      anthropic: profile.reportsWrites,
    }),
  };
  // Real TaaS documents no upstream header; the emulator sends one as a test aid unless told not to.
  if (options.upstreamHeader) headers.set("X-TaaS-Upstream", route.name);
  const latencyMs = Math.max(options.chatLatencyMs, triggeredLatencyMs(chat.messages));
  if (latencyMs > 0) await delay(latencyMs, undefined, { signal: req.signal });
  if (!draft.stream) return jsonResponse(completionBody(completion), 200, headers);

  const includeUsage = asRecord(chat.body.stream_options)?.include_usage === true;
  headers.set("content-type", "text/event-stream");
  headers.set("cache-control", "no-cache");
  return new Response(sseStream(completionEvents(completion, includeUsage)), {
    status: 200,
    headers,
  });
}
