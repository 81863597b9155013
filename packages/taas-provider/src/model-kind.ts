/**
 * What a model id says it serves, for listings that say nothing else (a plain OpenAI `/models`
 * row is only `{id, object, created, owned_by}`). Such a row is taken for a chat route unless its
 * id names one of these non-chat kinds; offering an embedding or speech model as a chat route
 * would only fail at the first turn.
 */

export type NonChatKind =
  | "embeddings"
  | "rerank"
  | "moderation"
  | "speech"
  | "transcription"
  | "image generation";

/** Matched against the lower-cased id; a boundary is the start, the end or one of `-_.:/ `. */
const KIND_PATTERNS: ReadonlyArray<readonly [NonChatKind, RegExp]> = [
  ["embeddings", /embed/],
  ["rerank", /rerank/],
  ["moderation", /moderation/],
  ["speech", /(^|[-_.:/])tts($|[-_.:/])|speech/],
  ["transcription", /whisper|transcri/],
  ["image generation", /dall-?e|(^|[-_.:/])(image|imagen)($|[-_.:/\d])|stable-diffusion|sdxl/],
];

/** The non-chat kind an id names, or undefined when nothing in it says it is not a chat model. */
export function nonChatKindOf(id: string): NonChatKind | undefined {
  const lower = id.toLowerCase();
  return KIND_PATTERNS.find(([, pattern]) => pattern.test(lower))?.[0];
}
