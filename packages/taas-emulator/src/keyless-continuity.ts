import { BoundedMap } from "@cloudsigma/taas-core/bounded-map";
import { sha256Hex } from "./ids.ts";
import type { ChatMessage } from "./messages.ts";
import type { MatchReason } from "./types.ts";

/**
 * TaaS's guesses for a request without a usable id (the optimizer's README, commit e33895c):
 * a tool-result follow-up continues the tool-call ids of an earlier answer (confidence 1.0);
 * structural inference recognises a conversation mid-way (0.85); else a new session (0.30).
 */
export const TOOL_CHAIN_CONFIDENCE = 1;
export const STRUCTURAL_CONFIDENCE = 0.85;
export const NEW_SESSION_CONFIDENCE = 0.3;
/**
 * "Mid-conversation after a few turns": the emulator's reading is two answered turns. Earlier
 * (one answered turn) the structural guess holds with the new-session confidence only.
 */
export const MID_CONVERSATION_TURNS = 2;
const REMEMBERED = 100_000;

export interface ContinuityInput {
  messages: readonly ChatMessage[];
  /** One id per tool, then per message (`TokenizedPrompt.segmentIds`). */
  segmentIds: readonly string[];
  toolCount: number;
}

export interface ContinuityGuess {
  /** The replica the guess keeps the request on, or null for a random one. */
  index: number | null;
  reason: MatchReason;
  confidence: number;
}

/**
 * The emulator's fingerprint of a conversation: its tools, system prompt and first message.
 * What TaaS's structural inference looks at is not documented; this is our assumption.
 */
function openingOf(input: ContinuityInput): string | null {
  const first = input.messages.findIndex((m) => m.role !== "system" && m.role !== "developer");
  if (first < 0) return null;
  return sha256Hex(input.segmentIds.slice(0, input.toolCount + first + 1).join("\n"));
}

/** Tool-call ids answered by the `tool` messages after the last assistant message. */
function answeredToolCalls(messages: readonly ChatMessage[]): string[] {
  const lastAssistant = messages.findLastIndex((m) => m.role === "assistant");
  return messages
    .slice(lastAssistant + 1)
    .filter((m) => m.role === "tool" && typeof m.tool_call_id === "string")
    .map((m) => String(m.tool_call_id));
}

/** Where keyless requests went, so a later request can be guessed to continue one of them. */
export class KeylessContinuity {
  readonly #toolCalls = new BoundedMap<string, number>(REMEMBERED);
  readonly #openings = new BoundedMap<string, number>(REMEMBERED);

  /** `draw` is uniform in [0, 1): the seeded chance that structural inference recognises it. */
  guess(input: ContinuityInput, draw: () => number): ContinuityGuess {
    for (const id of answeredToolCalls(input.messages)) {
      const index = this.#toolCalls.get(id);
      if (index !== undefined)
        return { index, reason: "tool_chain", confidence: TOOL_CHAIN_CONFIDENCE };
    }
    const turns = input.messages.filter((m) => m.role === "assistant").length;
    const opening = openingOf(input);
    const index = opening === null ? undefined : this.#openings.get(opening);
    if (turns > 0 && index !== undefined) {
      const confidence =
        turns >= MID_CONVERSATION_TURNS ? STRUCTURAL_CONFIDENCE : NEW_SESSION_CONFIDENCE;
      if (draw() < confidence) return { index, reason: "structural", confidence };
    }
    return { index: null, reason: "new", confidence: NEW_SESSION_CONFIDENCE };
  }

  /** The replica a keyless request was served on, and the tool calls its answer made there. */
  remember(input: ContinuityInput, index: number, toolCallIds: readonly string[] = []): void {
    const opening = openingOf(input);
    if (opening !== null) this.#openings.set(opening, index);
    for (const id of toolCallIds) this.#toolCalls.set(id, index);
  }

  clear(): void {
    this.#toolCalls.clear();
    this.#openings.clear();
  }
}
