import { ConfigError, parseConfig } from "@cloudsigma/taas-core/config";
import { PLUGIN_ID } from "./identity.ts";
import { sanitizeLabel } from "./text.ts";

export const RETRY_OUTCOMES = ["error", "timeout", "killed", "reset", "deleted"] as const;
export type RetryOutcome = (typeof RETRY_OUTCOMES)[number];

/**
 * The session tools a front controller and a hidden orchestrator always keep: what it takes to
 * delegate, follow up and remember, and nothing that does the work itself.
 */
export const SESSION_TOOLS = [
  "sessions_spawn",
  "sessions_send",
  "sessions_list",
  "sessions_history",
  "session_status",
  "memory_search",
  "memory_get",
] as const;

/**
 * The settings. Instructions and retries are on by default; enforcement is off, because
 * refusing tools can keep a main session from getting work done, so that is the operator's
 * choice. Retries cover the outcomes a rerun can fix (error, timeout), not a run someone
 * stopped or reset on purpose.
 */
export const CONFIG_SPEC = {
  injectOrchestratorPrompt: {
    type: "boolean",
    default: true,
    description: "Inject orchestration instructions into main-session prompt builds.",
  },
  enforceMainDelegation: {
    type: "boolean",
    default: false,
    description: "Block non-session tools in main sessions so heavy work is delegated.",
  },
  autoRetryFailedSubagents: {
    type: "boolean",
    default: true,
    description: "Queue a retry system event when a subagent ends with retryable outcomes.",
  },
  maxRetriesPerTask: {
    type: "integer",
    default: 2,
    min: 1,
    max: 5,
    description: "Retry budget per delegated task key.",
  },
  retryOutcomes: {
    type: "stringList",
    default: ["error", "timeout"],
    enum: RETRY_OUTCOMES,
    minItems: 1,
    description: "Subagent outcomes that trigger automatic retry.",
  },
  allowedMainTools: {
    type: "stringList",
    default: [],
    maxItems: 200,
    description:
      "Additional tool names allowed in main sessions when delegation enforcement is active (the session tools are always allowed).",
  },
  allowedOrchestratorTools: {
    type: "stringList",
    default: [],
    maxItems: 200,
    description:
      "Additional tool names a hidden orchestrator session may call itself (the session tools are always allowed).",
  },
  orchestratorLabelPrefix: {
    type: "string",
    default: "thread-orchestrator",
    maxLength: 64,
    description:
      "Label prefix of the hidden orchestrator a main session spawns (lower-cased; letters, digits, '.', '_' and '-').",
  },
  stateTtlMs: {
    type: "integer",
    default: 86_400_000,
    min: 60_000,
    max: 2_592_000_000,
    description:
      "How long a retry budget, a tracked subagent and a session's notes are kept after their last update (default 24 h): a spent budget starts again once its task chain was quiet this long.",
  },
} as const;

export interface OrchestratorSettings {
  injectOrchestratorPrompt: boolean;
  enforceMainDelegation: boolean;
  autoRetryFailedSubagents: boolean;
  maxRetriesPerTask: number;
  retryOutcomes: ReadonlySet<RetryOutcome>;
  allowedMainTools: ReadonlySet<string>;
  allowedOrchestratorTools: ReadonlySet<string>;
  orchestratorLabelPrefix: string;
  stateTtlMs: number;
  /** Configured additions that are not session tools: worth a startup warning. */
  directToolAdditions: string[];
}

export function parseOrchestratorSettings(raw: unknown): OrchestratorSettings {
  const config = parseConfig(PLUGIN_ID, CONFIG_SPEC, raw);
  const prefix = sanitizeLabel(config.orchestratorLabelPrefix);
  if (!prefix) {
    throw new ConfigError(
      PLUGIN_ID,
      "orchestratorLabelPrefix",
      "needs at least one letter, digit, '.', '_' or '-'",
    );
  }
  const session = new Set<string>(SESSION_TOOLS);
  const additions = [...config.allowedMainTools, ...config.allowedOrchestratorTools]
    .map((name) => name.trim())
    .filter((name) => name !== "" && !session.has(name));
  return {
    injectOrchestratorPrompt: config.injectOrchestratorPrompt,
    enforceMainDelegation: config.enforceMainDelegation,
    autoRetryFailedSubagents: config.autoRetryFailedSubagents,
    maxRetriesPerTask: config.maxRetriesPerTask,
    retryOutcomes: new Set(config.retryOutcomes),
    allowedMainTools: new Set([...SESSION_TOOLS, ...config.allowedMainTools.map((t) => t.trim())]),
    allowedOrchestratorTools: new Set([
      ...SESSION_TOOLS,
      ...config.allowedOrchestratorTools.map((t) => t.trim()),
    ]),
    orchestratorLabelPrefix: prefix,
    stateTtlMs: config.stateTtlMs,
    directToolAdditions: [...new Set(additions)],
  };
}
