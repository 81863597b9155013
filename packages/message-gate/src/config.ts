import { ConfigError, parseConfig } from "@cloudsigma/taas-core/config";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { quoted } from "@cloudsigma/taas-core/quoted";
import { PLUGIN_ID } from "./identity.ts";
import { normalizePeerId, peerKey, unmatchableReason } from "./peer-id.ts";

/** Where an operator finds a setting in `openclaw.json`: what every config message names. */
export const configPath = (key: string) => `plugins.entries.${PLUGIN_ID}.config.${key}`;

/**
 * The ranges the gate works in. A value outside is clamped with a warning instead of
 * rejected (configs written for lorene-gate relied on that), so the manifest accepts any
 * integer for these keys: the host refuses to start a gateway whose config fails the schema.
 */
export const CLAMPED_RANGES = {
  armTtlMs: { min: 15_000, max: 86_400_000 },
  maxUsesPerArm: { min: 1, max: 100 },
  missedResponseTtlMs: { min: 30_000, max: 604_800_000 },
} as const;
const ANY_INTEGER = { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER } as const;
/** At most this many unmatchable entries are named at load, so a long list cannot flood the log. */
const MAX_ENTRY_WARNINGS = 5;

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
      "Case-insensitive JavaScript regular expression an inbound message must match (at its start, as written) to arm the conversation. One that does not compile cancels every reply to a protected peer until fixed.",
  },
  armTtlMs: {
    type: "integer",
    default: 120_000,
    ...ANY_INTEGER,
    description:
      "How long an arm lasts; every allowed send extends it by this much again. Clamped to 15000-86400000.",
  },
  maxUsesPerArm: {
    type: "integer",
    default: 3,
    ...ANY_INTEGER,
    description: "Outbound messages one arm allows before it is spent. Clamped to 1-100.",
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
    ...ANY_INTEGER,
    description:
      "Watchdog window: an unanswered request younger than this re-arms the conversation once for a late reply; older ones are marked missed. Clamped to 30000-604800000.",
  },
} as const;

/** The parsed config in the shape the gate uses: ids normalised, the trigger compiled. */
export interface GateSettings {
  enabled: boolean;
  channel: string;
  /** Canonical peer keys (see `peerKey`). */
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

/**
 * The settings, or a ConfigError naming the key. What the gate can still work with is a
 * warning through `warn`: a clamped number, an id list entry that can never match.
 */
export function parseGateSettings(
  raw: unknown,
  warn: (message: string) => void = () => undefined,
): GateSettings {
  const config = parseConfig(PLUGIN_ID, CONFIG_SPEC, raw);
  const clamp = (key: keyof typeof CLAMPED_RANGES) => {
    const { min, max } = CLAMPED_RANGES[key];
    const value = Math.min(max, Math.max(min, config[key]));
    if (value !== config[key]) {
      warn(
        `[${PLUGIN_ID}] ${configPath(key)} ${config[key]} is outside ${min}-${max}; using ${value}`,
      );
    }
    return value;
  };
  reportUnmatchable(config, warn);
  const ids = (list: readonly string[], key: (id: string) => string) =>
    new Set(list.map(key).filter((id) => id !== ""));
  return {
    ...config,
    channel: config.channel.trim().toLowerCase(),
    protectedTo: ids(config.protectedTo, peerKey),
    allowedFrom: ids(config.allowedFrom, normalizePeerId),
    trigger: compileTrigger(config.triggerRegex),
    armTtlMs: clamp("armTtlMs"),
    maxUsesPerArm: clamp("maxUsesPerArm"),
    missedResponseTtlMs: clamp("missedResponseTtlMs"),
    wrapperTargets: ids(config.wrapperTargets, peerKey),
  };
}

type IdListKey = "protectedTo" | "allowedFrom" | "wrapperTargets";

function reportUnmatchable(
  config: Record<IdListKey, readonly string[]>,
  warn: (message: string) => void,
): void {
  const lists: IdListKey[] = ["protectedTo", "allowedFrom", "wrapperTargets"];
  const found = lists.flatMap((key) =>
    config[key].flatMap((entry) => {
      const reason = unmatchableReason(entry);
      return reason
        ? [`${configPath(key)} entry ${quoted(entry)} can never match: it ${reason}`]
        : [];
    }),
  );
  for (const line of found.slice(0, MAX_ENTRY_WARNINGS)) warn(`[${PLUGIN_ID}] ${line}`);
  if (found.length > MAX_ENTRY_WARNINGS) {
    warn(
      `[${PLUGIN_ID}] ${found.length - MAX_ENTRY_WARNINGS} more id list entries can never match`,
    );
  }
}

function compileTrigger(source: string): RegExp {
  try {
    // Case-insensitive, since phone keyboards capitalise the first word ("Friday:" must arm
    // like "friday:"). Only `i`: the Unicode flags refuse identity escapes such as "\:" that
    // existing triggers use. No g/y flag, so test() keeps no state between calls.
    return new RegExp(source, "i");
  } catch (error) {
    // The engine's message repeats the whole pattern: keep only its reason, quote a bounded pattern.
    const message = error instanceof Error ? error.message : String(error);
    const reason = errorText(message.slice(message.lastIndexOf(": ") + 2), 100);
    throw new ConfigError(
      PLUGIN_ID,
      "triggerRegex",
      `is not a valid regular expression: ${reason} (pattern ${quoted(source)})`,
    );
  }
}
