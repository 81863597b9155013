import { ConfigError, parseConfig } from "@cloudsigma/taas-core/config";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { PLUGIN_ID } from "./identity.ts";
import { normalizePeerId } from "./peer-id.ts";

/**
 * The settings, named as lorene-gate configs name them so an existing config carries over
 * unchanged. The defaults protect nobody and name nobody: installing the plugin changes no
 * conversation until an operator lists the peers to guard.
 */
export const CONFIG_SPEC = {
  enabled: {
    type: "boolean",
    default: true,
    description: "Turn the gate on; when false both hooks do nothing and nothing is recorded.",
  },
  channel: {
    type: "string",
    default: "whatsapp",
    maxLength: 64,
    description:
      "The one channel id (as the host names it, e.g. whatsapp, telegram, webchat) the gate watches.",
  },
  protectedTo: {
    type: "stringList",
    default: [],
    maxItems: 1000,
    description:
      "Peers (conversation ids) whose outbound messages need an arm; phone-like ids are normalised to +digits. Empty protects nobody.",
  },
  allowedFrom: {
    type: "stringList",
    default: [],
    maxItems: 1000,
    description:
      "Senders whose trigger messages arm a protected conversation; phone-like ids are normalised to +digits. Empty lets nobody arm.",
  },
  triggerRegex: {
    type: "string",
    default: "^\\s*assistant:\\s*",
    maxLength: 500,
    description:
      "Case-insensitive regular expression an inbound message must match (at its start, as written) to arm the conversation.",
  },
  armTtlMs: {
    type: "integer",
    default: 120_000,
    min: 15_000,
    max: 86_400_000,
    description: "How long an arm lasts; every allowed send extends it by this much again.",
  },
  maxUsesPerArm: {
    type: "integer",
    default: 3,
    min: 1,
    max: 100,
    description: "Outbound messages one arm allows before it is spent.",
  },
  requireBodyAfterTrigger: {
    type: "boolean",
    default: true,
    description:
      "Only arm when the trigger is followed by a letter or digit (a bare trigger arms nothing).",
  },
  debug: {
    type: "boolean",
    default: false,
    description:
      "Log every gate decision (arms, ignores, allowed and cancelled sends) at info level.",
  },
  dbPath: {
    type: "optionalString",
    maxLength: 4096,
    description:
      "SQLite ledger file; default <state dir>/message-gate/gate.sqlite. A relative path is resolved against the state dir.",
  },
  wrapperTargets: {
    type: "stringList",
    default: [],
    maxItems: 1000,
    description:
      "Peers whose outbound text is wrapped in wrapperPrefix/wrapperSuffix (idempotent: already wrapped text is left alone).",
  },
  wrapperPrefix: {
    type: "string",
    default: "↓↓↓ assistant ↓↓↓",
    maxLength: 200,
    description: "Line put before the text sent to a wrapper target.",
  },
  wrapperSuffix: {
    type: "string",
    default: "↑↑↑ assistant ↑↑↑",
    maxLength: 200,
    description: "Line put after the text sent to a wrapper target.",
  },
  missedResponseTtlMs: {
    type: "integer",
    default: 600_000,
    min: 30_000,
    max: 604_800_000,
    description:
      "Watchdog window: an unanswered request younger than this re-arms the conversation once for a late reply; older ones are marked missed.",
  },
} as const;

/** The parsed config in the shape the gate uses: ids normalised, the trigger compiled. */
export interface GateSettings {
  enabled: boolean;
  channel: string;
  protectedTo: ReadonlySet<string>;
  allowedFrom: ReadonlySet<string>;
  trigger: RegExp;
  armTtlMs: number;
  maxUsesPerArm: number;
  requireBodyAfterTrigger: boolean;
  debug: boolean;
  dbPath: string | undefined;
  wrapperTargets: ReadonlySet<string>;
  wrapperPrefix: string;
  wrapperSuffix: string;
  missedResponseTtlMs: number;
}

export function parseGateSettings(raw: unknown): GateSettings {
  const config = parseConfig(PLUGIN_ID, CONFIG_SPEC, raw);
  const ids = (list: readonly string[]) =>
    new Set(list.map(normalizePeerId).filter((id) => id !== ""));
  return {
    ...config,
    channel: config.channel.trim().toLowerCase(),
    protectedTo: ids(config.protectedTo),
    allowedFrom: ids(config.allowedFrom),
    trigger: compileTrigger(config.triggerRegex),
    wrapperTargets: ids(config.wrapperTargets),
  };
}

function compileTrigger(source: string): RegExp {
  try {
    // Case-insensitive, since phone keyboards capitalise the first word ("Friday:" must arm
    // like "friday:"); no g/y flag, so test() keeps no state between calls.
    return new RegExp(source, "iu");
  } catch (error) {
    throw new ConfigError(
      PLUGIN_ID,
      "triggerRegex",
      `is not a valid regular expression (${errorText(error)})`,
    );
  }
}
