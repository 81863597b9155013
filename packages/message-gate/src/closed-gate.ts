import { ConfigError } from "@cloudsigma/taas-core/config";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { isRecord } from "@cloudsigma/taas-core/records";
import { CONFIG_SPEC, configPath } from "./config.ts";
import type { Gate, InboundOutcome, OutboundDecision, OutboundMessage } from "./gate.ts";
import { PLUGIN_ID } from "./identity.ts";
import { peerKey } from "./peer-id.ts";

/** Who a config the gate cannot use still protects, read as leniently as possible. */
export interface ClosedGuard {
  /** False only when the config says `enabled: false` in so many words. */
  enabled: boolean;
  /** The watched channel, or undefined when even that is unreadable (then every channel). */
  channel: string | undefined;
  protectedTo: ReadonlySet<string> | "everyone";
}

/**
 * The gate of a config that does not load (a trigger that does not compile, a value the
 * parser refuses). Leaving the plugin out would send every reply ungated, so instead every
 * outbound message to a protected peer is cancelled and nothing arms until the config is
 * fixed; when the peer list itself is unreadable, every peer counts as protected.
 */
export class ClosedGate implements Gate {
  readonly #guard: ClosedGuard;

  constructor(guard: ClosedGuard) {
    this.#guard = guard;
  }

  guards(channelId: string | undefined, to: string | undefined): boolean {
    const { enabled, channel, protectedTo } = this.#guard;
    if (!enabled) return false;
    if (channel !== undefined && (channelId ?? "").trim().toLowerCase() !== channel) return false;
    return protectedTo === "everyone" || protectedTo.has(peerKey(to));
  }

  inbound(): InboundOutcome {
    return { kind: "ignored", reason: "config-error" };
  }

  outbound(message: OutboundMessage): OutboundDecision {
    if (!this.guards(message.channelId, message.to)) {
      return { cancel: false, reason: "unprotected-peer" };
    }
    return { cancel: true, reason: "config-error", peer: peerKey(message.to) };
  }
}

/** What a broken config still says about who is protected. */
export function closedGuardOf(raw: unknown): ClosedGuard {
  const config = isRecord(raw) ? raw : {};
  const channel = config.channel === undefined ? CONFIG_SPEC.channel.default : config.channel;
  const peers = config.protectedTo === undefined ? [] : config.protectedTo;
  const readable = Array.isArray(peers) && peers.every((peer) => typeof peer === "string");
  return {
    enabled: config.enabled !== false,
    channel: typeof channel === "string" ? channel.trim().toLowerCase() : undefined,
    protectedTo: readable ? new Set(peers.map(peerKey).filter((peer) => peer !== "")) : "everyone",
  };
}

/** The one error line that reports a config the gate cannot use, naming the key. */
export function configFailureMessage(error: unknown): string {
  const where =
    error instanceof ConfigError
      ? `${error.key === "(root)" ? `plugins.entries.${PLUGIN_ID}.config` : configPath(errorText(error.key, 100))} ${error.message.replace(`${PLUGIN_ID}: config key "${error.key}" `, "")}`
      : `plugins.entries.${PLUGIN_ID}.config could not be read (${errorText(error, 200)})`;
  return `[${PLUGIN_ID}] config error: ${where}; failing closed: every reply to a protected peer is cancelled until the config is fixed`;
}
