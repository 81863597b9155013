import { setTimeout as delay } from "node:timers/promises";
import { DEFAULT_MODEL_ID, isChatModel } from "./catalog.ts";
import { ApiError, errorResponse, jsonResponse } from "./errors.ts";
import type { ModelRow, PlainModelRow, ResolvedOptions } from "./types.ts";

export function modelsList(models: readonly ModelRow[]): { object: "list"; data: ModelRow[] } {
  return { object: "list", data: models.map((model) => structuredClone(model)) };
}

/**
 * The same catalog as a plain OpenAI gateway lists it: ids only, so a consumer has to decide
 * what each row serves from its id alone. `created` is the emulator clock, in seconds.
 */
export function plainModelsList(
  models: readonly ModelRow[],
  nowMs: number,
): { object: "list"; data: PlainModelRow[] } {
  const created = Math.floor(nowMs / 1000);
  return {
    object: "list",
    data: models.map(({ id }) => ({ id, object: "model", created, owned_by: "cloudsigma" })),
  };
}

function listing(options: ResolvedOptions): Response {
  return jsonResponse(
    options.modelsListing === "openai"
      ? plainModelsList(options.models, options.now())
      : modelsList(options.models),
  );
}

/**
 * Rows a careless consumer would choke on, around exactly one well-formed chat row, so a
 * consumer that skips malformed rows one by one still discovers a usable model.
 */
export function wrongTypeRows(models: readonly ModelRow[]): unknown[] {
  const valid =
    models.find((model) => model.id === DEFAULT_MODEL_ID && isChatModel(model)) ??
    models.find(isChatModel);
  const template = valid ?? {
    id: DEFAULT_MODEL_ID,
    object: "model",
    type: "chat",
    context_window: 400_000,
    max_output_tokens: 128_000,
    capabilities: { chat_completions: true, reasoning: false, thinking: false, vision: false },
    pricing: { input: 1.25, output: 10 },
  };
  const broken = (changes: Record<string, unknown>): Record<string, unknown> => ({
    ...structuredClone(template),
    ...changes,
  });
  return [
    broken({ id: 12345 }),
    broken({ id: "broken-context-window", context_window: "400000" }),
    null,
    broken({ id: "broken-capabilities", capabilities: null }),
    "not-a-model-row",
    broken({ id: "broken-pricing", pricing: "free", max_output_tokens: -1 }),
    broken({ id: "broken-type", type: 7, object: ["model"] }),
    structuredClone(template),
    broken({ id: "", capabilities: { chat_completions: "yes", vision: 1 } }),
    [DEFAULT_MODEL_ID],
  ];
}

export async function modelsResponse(
  options: ResolvedOptions,
  signal: AbortSignal,
): Promise<Response> {
  switch (options.modelsFault) {
    case "http-500":
      return errorResponse(
        new ApiError(500, "The model catalog is temporarily unavailable.", {
          code: "internal_error",
        }),
      );
    case "malformed-json":
      return new Response(`{"object":"list","data":[{"id":"${DEFAULT_MODEL_ID}","object":"mod`, {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    case "empty-list":
      return jsonResponse({ object: "list", data: [] });
    case "wrong-types":
      return jsonResponse({ object: "list", data: wrongTypeRows(options.models) });
    case "redirect":
      return new Response(null, { status: 302, headers: { location: options.redirectTo } });
    case "slow":
      await delay(options.modelsDelayMs, undefined, { signal });
      return listing(options);
    case undefined:
      return listing(options);
  }
}
