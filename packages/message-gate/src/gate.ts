import { shortHash } from "@cloudsigma/taas-core/hash";
import type { GateSettings } from "./config.ts";
import type { LiveArm, ResponseReason } from "./gate-schema.ts";
import type { GateStore } from "./gate-store.ts";
import { normalizePeerId, peerKey } from "./peer-id.ts";
import { withWrapper } from "./wrapper.ts";

/** An inbound message as the gate reads it (the hook adapter fills this from the host event). */
export interface InboundMessage {
  channelId: string;
  /** The conversation the message arrived in. */
  peer: string;
  /** Every id the host gave for the sender (from, senderId); any allowed one arms. */
  senderIds: readonly string[];
  messageId?: string;
  content: string;
  threadId?: string | number;
}

export interface OutboundMessage {
  channelId: string;
  to: string;
  content: string;
}

export type InboundOutcome =
  | { kind: "ignored"; reason: "disabled" | "other-channel" | "config-error" }
  | {
      kind: "recorded";
      reason:
        | "unprotected-peer"
        | "sender-not-allowed"
        | "no-trigger"
        | "empty-body"
        | "already-seen";
      peer: string;
      sender: string;
    }
  | {
      kind: "armed";
      peer: string;
      sender: string;
      requestId: string;
      usesLeft: number;
      expiresAt: number;
    };

export type OutboundDecision =
  | { cancel: false; reason: "not-watched" | "unprotected-peer"; content?: string }
  | {
      cancel: false;
      reason: Exclude<ResponseReason, "not-armed">;
      peer: string;
      requestId: string;
      usesLeft: number;
      content?: string;
    }
  | { cancel: true; reason: "not-armed" | "config-error"; peer: string };

/** What the message hooks ask of a gate (the working one, or the closed one of a broken config). */
export interface Gate {
  guards(channelId: string | undefined, to: string | undefined): boolean;
  inbound(message: InboundMessage): InboundOutcome;
  outbound(message: OutboundMessage): OutboundDecision;
}

// A body must carry at least one letter or digit in any script: a trigger followed only by
// punctuation or emoji asks nothing, so it must not open a conversation to replies.
const HAS_WORDS = /[\p{L}\p{N}]/u;

/**
 * The gate's rules. Inbound: on the watched channel every message is recorded; in a protected
 * conversation, a message from an allowed sender that matches the trigger (with a body, when
 * required) opens a request and arms the conversation for `armTtlMs` and `maxUsesPerArm` sends.
 * Outbound to a protected peer: allowed while armed (each send spends one use and extends the
 * TTL), else the watchdog re-arms once for the newest unanswered request younger than
 * `missedResponseTtlMs` (older ones become missed), else cancelled. Each decision is one
 * SQLite transaction, so gateway, CLI and restarts see the same arms.
 */
export class MessageGate implements Gate {
  readonly #settings: GateSettings;
  readonly #store: () => GateStore;
  readonly #now: () => number;

  constructor(options: { settings: GateSettings; store: () => GateStore; now?: () => number }) {
    this.#settings = options.settings;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
  }

  /** True when an outbound message to `to` on `channelId` is one the gate must guard. */
  guards(channelId: string | undefined, to: string | undefined): boolean {
    return this.#watches(channelId) && this.#settings.protectedTo.has(peerKey(to));
  }

  inbound(message: InboundMessage): InboundOutcome {
    const settings = this.#settings;
    if (!settings.enabled) return { kind: "ignored", reason: "disabled" };
    if (!this.#watches(message.channelId)) return { kind: "ignored", reason: "other-channel" };
    const channel = settings.channel;
    const peer = peerKey(message.peer);
    const senders = [...new Set(message.senderIds.map(normalizePeerId))].filter(Boolean);
    const sender = senders.find((id) => settings.allowedFrom.has(id)) ?? senders[0] ?? "";
    const content = message.content.trim();
    const at = this.#now();
    const messageId =
      message.messageId?.trim() || `local:${at}:${shortHash(`${sender}\n${peer}\n${content}`, 12)}`;
    const store = this.#store();
    return store.transaction((): InboundOutcome => {
      const recorded = (reason: Extract<InboundOutcome, { kind: "recorded" }>["reason"]) =>
        ({ kind: "recorded", reason, peer, sender }) as const;
      // A channel that re-delivers a message (reconnect, retry) must not re-arm with it.
      if (!store.recordSeen({ channel, messageId, sender, peer, at })) {
        return recorded("already-seen");
      }
      if (!settings.protectedTo.has(peer)) return recorded("unprotected-peer");
      if (!settings.allowedFrom.has(sender)) return recorded("sender-not-allowed");
      const match = settings.trigger.exec(content);
      if (!match) return recorded("no-trigger");
      const body =
        `${content.slice(0, match.index)}${content.slice(match.index + match[0].length)}`.trim();
      if (settings.requireBodyAfterTrigger && !HAS_WORDS.test(body)) return recorded("empty-body");

      store.pruneArms(at);
      store.markMissedBefore(channel, peer, at - settings.missedResponseTtlMs, at);
      const requestId = `${channel}:${messageId}`;
      const topic = message.threadId === undefined ? "general" : `thread:${message.threadId}`;
      const threadId = store.touchThread(channel, peer, topic, at);
      store.insertRequest({
        requestId,
        channel,
        sender,
        peer,
        inboundMessageId: messageId,
        threadId,
        triggerText: content,
        body,
        at,
      });
      store.markSeenTriggered(channel, messageId, requestId, threadId);
      const expiresAt = at + settings.armTtlMs;
      store.upsertArm({
        armKey: armKey(channel, peer),
        channel,
        peer,
        requestId,
        sourceMessageId: messageId,
        sender,
        expiresAt,
        usesLeft: settings.maxUsesPerArm,
        at,
      });
      return {
        kind: "armed",
        peer,
        sender,
        requestId,
        usesLeft: settings.maxUsesPerArm,
        expiresAt,
      };
    });
  }

  outbound(message: OutboundMessage): OutboundDecision {
    const settings = this.#settings;
    if (!settings.enabled || !this.#watches(message.channelId)) {
      return { cancel: false, reason: "not-watched" };
    }
    const channel = settings.channel;
    const peer = peerKey(message.to);
    const wrapped = settings.wrapperTargets.has(peer)
      ? withWrapper(message.content, settings.wrapperPrefix, settings.wrapperSuffix)
      : message.content;
    const rewrite = wrapped !== message.content ? { content: wrapped } : {};
    if (!settings.protectedTo.has(peer))
      return { cancel: false, reason: "unprotected-peer", ...rewrite };

    const at = this.#now();
    const store = this.#store();
    return store.transaction((): OutboundDecision => {
      store.pruneArms(at);
      const key = armKey(channel, peer);
      let reason: Exclude<ResponseReason, "not-armed"> = "arm";
      let arm = usable(store.getArm(key), at);
      if (!arm) {
        reason = "watchdog";
        arm = this.#recoverMissedArm(store, peer, at);
      }
      const response = { outboundMessageId: null, channel, peer, at };
      if (!arm) {
        store.insertResponse({
          ...response,
          requestId: null,
          decision: "cancelled",
          reason: "not-armed",
          content: message.content,
        });
        return { cancel: true, reason: "not-armed", peer };
      }
      const usesLeft = arm.usesLeft - 1;
      store.spendArm(key, usesLeft, at + settings.armTtlMs, at);
      store.setRequestStatus(arm.requestId, "responded", at);
      store.insertResponse({
        ...response,
        requestId: arm.requestId,
        decision: "allowed",
        reason,
        content: wrapped,
      });
      return { cancel: false, reason, peer, requestId: arm.requestId, usesLeft, ...rewrite };
    });
  }

  /** The watchdog: one late reply for the newest recent unanswered request; older ones missed. */
  #recoverMissedArm(store: GateStore, peer: string, at: number): LiveArm | undefined {
    const { channel, armTtlMs, missedResponseTtlMs } = this.#settings;
    store.markMissedBefore(channel, peer, at - missedResponseTtlMs, at);
    const pending = store.latestUnanswered(channel, peer);
    if (!pending) return undefined;
    store.markRearmed(pending.requestId, at);
    const arm = {
      armKey: armKey(channel, peer),
      channel,
      peer,
      requestId: pending.requestId,
      sourceMessageId: null,
      sender: null,
      expiresAt: at + armTtlMs,
      usesLeft: 1,
      at,
    };
    store.upsertArm(arm);
    return store.getArm(arm.armKey);
  }

  #watches(channelId: string | undefined): boolean {
    return (channelId ?? "").trim().toLowerCase() === this.#settings.channel;
  }
}

function armKey(channel: string, peer: string): string {
  return `${channel.toLowerCase()}:${peer}`;
}

function usable(arm: LiveArm | undefined, now: number): LiveArm | undefined {
  return arm && arm.expiresAt > now && arm.usesLeft > 0 ? arm : undefined;
}
