/**
 * The pinger's settings (`keepWarm` in the optimizer's config), parsed with the rest of the
 * config by core's parser: a TTL or cap out of range is refused at load, by name
 * (`keepWarm.ttlSeconds`). Absent, the pinger is off.
 */
export const KEEP_WARM_SPEC = {
  enabled: {
    type: "boolean",
    default: false,
    description:
      "Ping a conversation's cache before it expires: after ttlSeconds less a margin idle, re-send its last prompt with at most 16 output tokens, only while the usage ledger's advisor says a ping pays for its agent.",
  },
  ttlSeconds: {
    type: "integer",
    default: 300,
    min: 2,
    max: 86_400,
    description:
      "The provider's cache lifetime the pings keep up (OpenAI-family 5-10 min idle; Anthropic 5 min, 1 h when asked). A ping goes out after this less a tenth (at most 30 s).",
  },
  maxPingsPerGap: {
    type: "integer",
    default: 2,
    min: 1,
    max: 10,
    description: "Most pings in one idle gap of a conversation (the advisor may allow fewer).",
  },
  maxPingsPerDay: {
    type: "integer",
    default: 500,
    min: 1,
    max: 1_000_000,
    description: "Most pings per UTC day across all conversations of this gateway.",
  },
} as const;

/** Conversations the pinger follows at most; the least recently active is dropped first. */
export const MAX_KEEP_WARM_CONVERSATIONS = 256;
/** The output a ping asks for at most: enough for any provider to answer, nothing to read. */
export const PING_MAX_TOKENS = 16;
/**
 * Without the advisor's verdict (no history yet), a conversation is pinged only while it was
 * active within this many lifetimes.
 */
export const NO_HISTORY_LIFETIMES = 3;
