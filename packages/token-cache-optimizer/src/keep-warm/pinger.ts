import { BoundedMap } from "@cloudsigma/taas-core/bounded-map";
import type { ParsedConfig } from "@cloudsigma/taas-core/config";
import {
  type KeepWarmPing,
  type KeepWarmVerdict,
  pingAfterMs,
} from "@cloudsigma/taas-core/contracts/keep-warm";
import { errorText } from "@cloudsigma/taas-core/error-text";
import {
  type KEEP_WARM_SPEC,
  MAX_KEEP_WARM_CONVERSATIONS,
  NO_HISTORY_LIFETIMES,
} from "./config.ts";

export type KeepWarmConfig = ParsedConfig<typeof KEEP_WARM_SPEC>;

/** What a ping answered: the provider's usage as the host's transport reported it. */
export interface PingAnswer {
  usage: unknown;
  /** Set when the call failed (an HTTP error, a refused request): the gap is not retried. */
  error?: string;
}

/** A conversation's latest request, as the stream wrapper saw it: enough to send it again. */
export interface ObservedCall {
  affinityId: string;
  agentId: string;
  sessionId: string | null;
  provider: string;
  model: string;
  /** Re-sends the request with `callId` as its request id and a minimal output. */
  resend: (callId: string) => Promise<PingAnswer>;
}

interface Conversation extends ObservedCall {
  lastActivity: number;
  /** Pings sent in the current idle gap. */
  pings: number;
  /** A ping failed in this gap: no more until the conversation is active again. */
  failed: boolean;
  warnedFailure: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface PingerDeps {
  config: KeepWarmConfig;
  /** The usage ledger's verdict for an agent (the keep-warm seam); undefined: none yet. */
  verdict: (agentId: string) => KeepWarmVerdict | undefined;
  report: (ping: KeepWarmPing) => void;
  warn: (message: string) => void;
  newCallId: () => string;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => ReturnType<typeof setTimeout>;
  clearTimer?: (timer: ReturnType<typeof setTimeout>) => void;
}

const DAY_MS = 86_400_000;

/**
 * Keeps conversations' provider caches warm. The stream wrapper tells it of every request
 * (`observe`, a map write and a timer: nothing else on the turn's path); `pingAfterMs(ttl)`
 * after a conversation's last request, with no request since, it re-sends that request with a
 * minimal output, at most `maxPingsPerGap` times per idle gap, only while the advisor's verdict
 * for the agent allows it (or, with no verdict yet, while the conversation was active within
 * the last few lifetimes), within the daily cap. A session that ends takes its conversations
 * with it; a failed ping is said once per conversation and ends that gap's pings.
 */
export class KeepWarmPinger {
  readonly #deps: PingerDeps;
  readonly #conversations: BoundedMap<string, Conversation>;
  readonly #now: () => number;
  readonly #lifetimeMs: number;
  #day = -1;
  #pingsToday = 0;
  #saidCap = false;
  #stopped = false;

  constructor(deps: PingerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#lifetimeMs = pingAfterMs(deps.config.ttlSeconds * 1000);
    this.#conversations = new BoundedMap(MAX_KEEP_WARM_CONVERSATIONS, (_id, dropped) =>
      this.#clear(dropped),
    );
  }

  /** A request of a conversation went out: a new idle gap starts from now. */
  observe(call: ObservedCall): void {
    if (this.#stopped) return;
    const previous = this.#conversations.get(call.affinityId);
    if (previous) this.#clear(previous);
    const conversation: Conversation = {
      ...call,
      lastActivity: this.#now(),
      pings: 0,
      failed: false,
      warnedFailure: previous?.warnedFailure ?? false,
      timer: undefined,
    };
    this.#conversations.set(call.affinityId, conversation);
    this.#arm(conversation);
  }

  /** The session ended or was deleted: its conversations are never pinged again. */
  endSession(sessionId: string): void {
    for (const [id, conversation] of [...this.#conversations.entries()]) {
      if (conversation.sessionId !== sessionId) continue;
      this.#clear(conversation);
      this.#conversations.delete(id);
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const [, conversation] of this.#conversations.entries()) this.#clear(conversation);
    this.#conversations.clear();
  }

  get conversations(): number {
    return this.#conversations.size;
  }

  #clear(conversation: Conversation): void {
    if (conversation.timer) (this.#deps.clearTimer ?? clearTimeout)(conversation.timer);
    conversation.timer = undefined;
  }

  #arm(conversation: Conversation): void {
    const due = conversation.lastActivity + (conversation.pings + 1) * this.#lifetimeMs;
    const timer = (this.#deps.setTimer ?? setTimeout)(
      () => void this.#fire(conversation),
      Math.max(0, due - this.#now()),
    );
    (timer as { unref?: () => void }).unref?.();
    conversation.timer = timer;
  }

  /** Whether ping number `n` of this gap may go out now, by the verdict and the caps. */
  #allowed(conversation: Conversation, n: number, now: number): boolean {
    const { maxPingsPerGap, ttlSeconds } = this.#deps.config;
    if (n > maxPingsPerGap || conversation.failed) return false;
    const verdict = this.#deps.verdict(conversation.agentId);
    if (verdict && verdict.basis !== "no_history") return n <= verdict.pingsPerGap;
    return now - conversation.lastActivity < NO_HISTORY_LIFETIMES * ttlSeconds * 1000;
  }

  #withinDailyCap(now: number): boolean {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.#day) {
      this.#day = day;
      this.#pingsToday = 0;
      this.#saidCap = false;
    }
    if (this.#pingsToday < this.#deps.config.maxPingsPerDay) return true;
    if (!this.#saidCap)
      this.#deps.warn(
        `keepWarm: the daily cap of ${this.#deps.config.maxPingsPerDay} pings is reached; no more pings until 00:00 UTC`,
      );
    this.#saidCap = true;
    return false;
  }

  async #fire(conversation: Conversation): Promise<void> {
    conversation.timer = undefined;
    // A newer request (or the session's end) replaced this conversation: nothing to do.
    if (this.#stopped || this.#conversations.get(conversation.affinityId) !== conversation) return;
    const now = this.#now();
    const n = conversation.pings + 1;
    if (!this.#allowed(conversation, n, now) || !this.#withinDailyCap(now)) return;
    conversation.pings = n;
    this.#pingsToday += 1;
    const callId = this.#deps.newCallId();
    let answer: PingAnswer;
    try {
      answer = await conversation.resend(callId);
    } catch (error) {
      answer = { usage: undefined, error: errorText(error) };
    }
    const ended = this.#now();
    this.#deps.report({
      callId,
      ts: now,
      latencyMs: ended - now,
      agentId: conversation.agentId,
      sessionId: conversation.sessionId,
      provider: conversation.provider,
      model: conversation.model,
      usage: answer.usage,
      outcome: answer.error === undefined ? "completed" : "error",
    });
    if (answer.error !== undefined) {
      conversation.failed = true;
      if (!conversation.warnedFailure)
        this.#deps.warn(
          `keepWarm: a ping of agent ${conversation.agentId}'s conversation ${conversation.affinityId} failed (${answer.error.slice(0, 200)}); not retried until it is active again`,
        );
      conversation.warnedFailure = true;
      return;
    }
    if (this.#conversations.get(conversation.affinityId) === conversation) this.#arm(conversation);
  }
}
