import { expect } from "vitest";
import {
  CACHE_CAUSE_HEADER,
  CACHE_IDEAL_HEADER,
  type CacheCause,
  type CacheTruth,
} from "./cache-cause.ts";
import { createEmulator } from "./emulator.ts";
import { cacheableLength } from "./prefix-cache.ts";
import { PromptTokenizer } from "./prompt-tokens.ts";
import { chatRequest, filler, usageOf, userMessage } from "./test-support.ts";
import type { Emulator, EmulatorOptions } from "./types.ts";

// Shared by the cache-cause tests: an emulator with a small geometry and a fake clock, and the
// truth its last answer carried. Expectations are derived from the same tokenizer.

export const MIN = 64;
export const STEP = 16;
export const geometry = { minTokens: MIN, stepTokens: STEP };
export const TTL = 10_000;

export type Message = { role: string; content: unknown };
export type Tool = { type: string; function: { name: string; description: string } };

export const system = (seed = "s"): Message => ({ role: "system", content: filler(90, seed) });
export const assistant = (seed: string): Message => ({
  role: "assistant",
  content: filler(40, seed),
});
export const tool = (description: string): Tool => ({
  type: "function",
  function: { name: "read", description },
});
/** A session id with the agent id TaaS needs to honour it (the correlation envelope carries it). */
export const keyed = (id: string) => ({
  metadata: { session_id: id, openclaw_correlation: { agent_id: "main" } },
});
export const conversation = [
  system(),
  userMessage("first question"),
  assistant("a"),
  userMessage("next"),
];

export function promptTokens(messages: readonly Message[], tools: readonly Tool[] = []): number {
  return new PromptTokenizer().tokenize(tools, messages).length;
}

export function cacheable(messages: readonly Message[], tools: readonly Tool[] = []): number {
  return cacheableLength(promptTokens(messages, tools), geometry);
}

/** A prompt as a request carries it: tools, then messages. */
export interface Prompt {
  messages: readonly Message[];
  tools?: readonly Tool[];
}

/** The cacheable part of the tokens two prompts share from the start. */
export function sharedCacheable(a: Prompt, b: Prompt): number {
  const tokenizer = new PromptTokenizer();
  const x = tokenizer.tokenize(a.tools ?? [], a.messages);
  const y = tokenizer.tokenize(b.tools ?? [], b.messages);
  let shared = 0;
  while (shared < x.length && shared < y.length && x[shared] === y[shared]) shared++;
  return cacheableLength(shared, geometry);
}

export interface Scene {
  emulator: Emulator;
  clock: { now: number };
  send(messages: Message[], extra?: Record<string, unknown>): Promise<Response>;
}

export function scene(options: EmulatorOptions = {}): Scene {
  const clock = { now: 1_000_000 };
  const emulator = createEmulator({
    minCacheTokens: MIN,
    cacheStepTokens: STEP,
    cacheTtlMs: TTL,
    now: () => clock.now,
    ...options,
  });
  const send = async (messages: Message[], extra: Record<string, unknown> = {}) => {
    const response = await emulator.handle(chatRequest({ model: "gpt-5.5", messages, ...extra }));
    expect(response.status).toBe(200);
    return response;
  };
  return { emulator, clock, send };
}

/** The truth as the last response's headers say it, checked against the request record. */
export async function truthOf(
  s: Scene,
  response: Response,
): Promise<CacheTruth & { cached: number }> {
  const [cause = "", at = null] = (response.headers.get(CACHE_CAUSE_HEADER) ?? "").split("; at=");
  const truth = {
    cause: cause as CacheCause,
    at,
    idealCachedTokens: Number(response.headers.get(CACHE_IDEAL_HEADER)),
  };
  const record = s.emulator.requests().at(-1);
  expect(record).toMatchObject({
    idealCachedTokens: truth.idealCachedTokens,
    cacheCause: truth.cause,
    cacheCauseAt: truth.at,
  });
  const cached = usageOf((await response.json()) as Record<string, unknown>).prompt_tokens_details
    .cached_tokens;
  return { ...truth, cached };
}
