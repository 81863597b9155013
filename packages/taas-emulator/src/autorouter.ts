import {
  AUTOROUTER_ALGORITHM_HEADER,
  AUTOROUTER_ALGORITHMS,
  type AutorouterAlgorithm,
  isAutorouterAlgorithm,
} from "@cloudsigma/taas-core/autorouter";
import { asRecord, type ChatMessage, hasImagePart } from "./messages.ts";

// The six names are TaaS's, shared with the optimizer that sends them.
export { AUTOROUTER_ALGORITHMS, type AutorouterAlgorithm };

export type AutorouteMode = "vision" | "long-context" | "reasoning" | "agentic" | "fast";

export interface AutorouteDecision {
  model: string;
  mode: AutorouteMode;
  thinkingApplied: boolean;
}

export const AUTOROUTER_ALGORITHM_SOURCE = "emulator-rules-v1";

/** The algorithm the request names, or null when it names none or one TaaS does not list. */
export function requestedAlgorithm(headers: Headers): AutorouterAlgorithm | null {
  const raw = headers.get(AUTOROUTER_ALGORITHM_HEADER)?.trim().toLowerCase();
  return isAutorouterAlgorithm(raw) ? raw : null;
}
export const LONG_CONTEXT_THRESHOLD = 200_000;

export interface AutorouteInput {
  body: Record<string, unknown>;
  messages: readonly ChatMessage[];
  tools: readonly unknown[];
  promptTokens: number;
}

/** `reasoning_effort` other than "none", or a `thinking` value that is not an explicit off. */
export function wantsReasoning(body: Record<string, unknown>): boolean {
  const effort = body.reasoning_effort;
  if (effort !== undefined && effort !== null && effort !== "none") return true;
  const thinking = body.thinking;
  if (thinking === true) return true;
  const record = asRecord(thinking);
  return record !== null && record.type !== "disabled" && record.enabled !== false;
}

/**
 * The emulator's own routing rules for model `auto` (TaaS documents none); the first matching
 * rule wins. The mode names are the emulator's too.
 */
export function autoroute(input: AutorouteInput): AutorouteDecision {
  if (hasImagePart(input.messages)) {
    return { model: "gemini-3.1-flash-lite", mode: "vision", thinkingApplied: false };
  }
  if (input.promptTokens > LONG_CONTEXT_THRESHOLD) {
    return { model: "gpt-5.4", mode: "long-context", thinkingApplied: false };
  }
  if (wantsReasoning(input.body)) {
    return { model: "claude-fable-5", mode: "reasoning", thinkingApplied: true };
  }
  if (input.tools.length > 0) {
    return { model: "gpt-5.5", mode: "agentic", thinkingApplied: false };
  }
  return { model: "gemini-3.1-flash-lite", mode: "fast", thinkingApplied: false };
}

/**
 * `algorithm` is the one the request chose, else the emulator's rules. Only the header names are
 * documented: echoing the algorithm in Algorithm-Source, the rule in Mode and a boolean in
 * Thinking-Applied is the emulator's choice (CloudSigma's tests put an algorithm in Mode).
 */
export function autorouteHeaders(
  decision: AutorouteDecision,
  contextWindow: number,
  algorithm: AutorouterAlgorithm | null = null,
): Record<string, string> {
  return {
    "X-TaaS-Autorouted": "true",
    "X-TaaS-Autorouter-Model": decision.model,
    "X-TaaS-Autorouter-Mode": decision.mode,
    "X-TaaS-Autorouter-Algorithm-Source": algorithm ?? AUTOROUTER_ALGORITHM_SOURCE,
    "X-TaaS-Thinking-Applied": String(decision.thinkingApplied),
    "X-TaaS-Routed-Context-Window": String(contextWindow),
  };
}
