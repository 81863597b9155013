import { type ConfigSpec, type ParsedConfig, parseConfig } from "@cloudsigma/taas-core/config";
import { TOKEN_AUDIT_PLUGIN_ID } from "@cloudsigma/taas-core/contracts/plugin-ids";

export const PLUGIN_ID = TOKEN_AUDIT_PLUGIN_ID;

export const CONFIG_SPEC = {
  enabled: {
    type: "boolean",
    default: true,
    description: "Write the per-call audit lines and watch prompt sizes.",
  },
  file: {
    type: "optionalString",
    maxLength: 4096,
    description:
      "JSON Lines file, one line per model call. Default: <state dir>/token-audit/usage.jsonl. A relative path resolves against the state dir.",
  },
  maxFileBytes: {
    type: "integer",
    default: 10_485_760,
    min: 4_096,
    max: 1_073_741_824,
    description: "Rotate a file (audit and dump) before it would grow past this many bytes.",
  },
  maxFiles: {
    type: "integer",
    default: 5,
    min: 1,
    max: 100,
    description: "Rotated files kept beside each live file (<file>.1 is the newest).",
  },
  largePromptChars: {
    type: "integer",
    default: 100_000,
    min: 1,
    max: 100_000_000,
    description:
      "Warn when a run's prompt exceeds this many characters: system prompt + user prompt + history (text, thinking and tool-call arguments). Images (only their number is reported) and tool schemas (reported beside it) are not part of it.",
  },
  dumpFile: {
    type: "optionalString",
    maxLength: 4096,
    description:
      "JSON Lines file receiving the breakdown of each large prompt. Default: <state dir>/token-audit/large-prompts.jsonl.",
  },
  dumpMaxItems: {
    type: "integer",
    default: 10,
    min: 0,
    max: 200,
    description: "Largest history messages and tool schemas listed in each dump.",
  },
  dumpPreviews: {
    type: "boolean",
    default: false,
    description:
      "Include the first previewChars characters of the system prompt, the prompt and each listed message in dumps. Off by default: they may hold private text.",
  },
  previewChars: {
    type: "integer",
    default: 160,
    min: 1,
    max: 4_000,
    description: "Length of each preview when dumpPreviews is on.",
  },
} as const satisfies ConfigSpec;

export type AuditConfig = ParsedConfig<typeof CONFIG_SPEC>;

export function parseAuditConfig(raw: unknown): AuditConfig {
  return parseConfig(PLUGIN_ID, CONFIG_SPEC, raw);
}
