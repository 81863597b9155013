import { errorText } from "@cloudsigma/taas-core/error-text";
import { isBusyError } from "@cloudsigma/taas-core/sqlite";
import type { Gate, InboundOutcome, OutboundDecision } from "./gate.ts";
import { BUSY_TIMEOUT_MS } from "./gate-store.ts";
import { PLUGIN_ID } from "./identity.ts";

/** The fields of the host's `message_received` event and message context the gate reads. */
interface ReceivedEvent {
  from?: string;
  senderId?: string;
  content?: string;
  messageId?: string;
  threadId?: string | number;
  metadata?: Record<string, unknown>;
}
interface SendingEvent {
  to: string;
  content?: string;
  metadata?: Record<string, unknown>;
}
interface MessageContext {
  channelId?: string;
  conversationId?: string;
  messageId?: string;
  senderId?: string;
}
interface SendingResult {
  content?: string;
  cancel?: boolean;
  cancelReason?: string;
}
interface GateLogger {
  info(message: string): void;
  error(message: string): void;
}

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value : undefined;
/** Ids in log lines and cancel reasons: one line, bounded (the host hands them through as given). */
const shown = (id: string) => errorText(id.replace(/\s+/g, " "), 100);
/** Why a decision failed, as the log line says it. */
const failure = (error: unknown) =>
  isBusyError(error)
    ? `the ledger was locked by another process for more than ${BUSY_TIMEOUT_MS} ms (${errorText(error)})`
    : errorText(error);

/**
 * The two message hooks around a gate. Inbound never blocks anything, so a failure there is
 * logged and dropped. Outbound fails closed for a protected peer: if the gate cannot decide
 * (database unavailable, disk full, a bug), the message is cancelled and the reason logged;
 * for any other peer a failure lets the message through untouched.
 */
export function createGateHooks(deps: { gate: () => Gate; logger: GateLogger; debug: boolean }) {
  const { logger, debug } = deps;
  const trace = (message: string) => {
    if (debug) logger.info(`[${PLUGIN_ID}] ${message}`);
  };

  function onMessageReceived(event: ReceivedEvent, ctx: MessageContext): void {
    try {
      const channelId = ctx.channelId ?? "";
      const outcome = deps.gate().inbound({
        channelId,
        peer: ctx.conversationId ?? str(event.metadata?.originatingTo) ?? "",
        senderIds: [event.from, event.senderId, ctx.senderId, str(event.metadata?.senderId)].filter(
          (id): id is string => typeof id === "string",
        ),
        messageId: event.messageId ?? ctx.messageId ?? str(event.metadata?.messageId),
        content: event.content ?? "",
        ...(event.threadId === undefined ? {} : { threadId: event.threadId }),
      });
      trace(describeInbound(outcome));
    } catch (error) {
      logger.error(`[${PLUGIN_ID}] inbound message not recorded: ${failure(error)}`);
    }
  }

  function onMessageSending(event: SendingEvent, ctx: MessageContext): SendingResult | undefined {
    const channelId = ctx.channelId ?? str(event.metadata?.channel);
    try {
      const decision = deps.gate().outbound({
        channelId: channelId ?? "",
        to: event.to,
        content: event.content ?? "",
      });
      trace(describeOutbound(decision));
      if (decision.cancel) {
        const why =
          decision.reason === "config-error"
            ? "config error, failing closed"
            : `${shown(decision.peer)} is not armed`;
        return { cancel: true, cancelReason: `${PLUGIN_ID}: ${why}` };
      }
      return decision.content === undefined ? undefined : { content: decision.content };
    } catch (error) {
      let guarded = true;
      try {
        guarded = deps.gate().guards(channelId, event.to);
      } catch {
        // Cannot even tell whether the peer is protected: stay closed.
      }
      if (!guarded) {
        logger.error(
          `[${PLUGIN_ID}] gate failed for an unprotected peer, sending as is: ${failure(error)}`,
        );
        return undefined;
      }
      logger.error(
        `[${PLUGIN_ID}] gate failed for protected peer ${shown(event.to)}; failing closed (message cancelled): ${failure(error)}`,
      );
      return { cancel: true, cancelReason: `${PLUGIN_ID}: internal error, failing closed` };
    }
  }

  return { onMessageReceived, onMessageSending };
}

function describeInbound(outcome: InboundOutcome): string {
  if (outcome.kind === "ignored") return `inbound ignored (${outcome.reason})`;
  if (outcome.kind === "recorded") {
    return `inbound from ${outcome.sender || "(unknown)"} in ${outcome.peer}: not arming (${outcome.reason})`;
  }
  return `armed ${outcome.peer} by ${outcome.sender}: request ${outcome.requestId}, ${outcome.usesLeft} use(s) until ${new Date(outcome.expiresAt).toISOString()}`;
}

function describeOutbound(decision: OutboundDecision): string {
  if (decision.cancel) {
    const why = decision.reason === "config-error" ? "config error" : "not armed";
    return `cancelled outbound to ${shown(decision.peer)}: ${why}`;
  }
  if (!("requestId" in decision)) {
    return `outbound passes (${decision.reason})${decision.content === undefined ? "" : ", wrapped"}`;
  }
  return `allowed outbound to ${decision.peer} (${decision.reason}): request ${decision.requestId}, ${decision.usesLeft} use(s) left`;
}
