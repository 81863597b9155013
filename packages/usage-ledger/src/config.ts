import { type ConfigSpec, type ParsedConfig, parseConfig } from "@cloudsigma/taas-core/config";

export const PLUGIN_ID = "usage-ledger";

export const CONFIG_SPEC = {
  enabled: {
    type: "boolean",
    default: true,
    description:
      "Record model usage. When false nothing is recorded; the report command and gateway method still read the ledger.",
  },
  dbPath: {
    type: "optionalString",
    maxLength: 4096,
    description:
      "The ledger's SQLite file. Default: <state dir>/usage-ledger/ledger.sqlite. A relative path resolves against the state dir.",
  },
  retentionDays: {
    type: "integer",
    default: 400,
    min: 0,
    max: 36_500,
    description: "Delete ledger rows older than this many days (0 keeps everything).",
  },
  flushIntervalMs: {
    type: "integer",
    default: 250,
    min: 10,
    max: 60_000,
    description: "Longest time a recorded row waits in memory before its batch is written.",
  },
  batchSize: {
    type: "integer",
    default: 500,
    min: 1,
    max: 50_000,
    description: "Rows written per SQLite transaction.",
  },
  maxQueuedRows: {
    type: "integer",
    default: 100_000,
    min: 1_000,
    max: 5_000_000,
    description:
      "Rows kept in memory while the database is locked or unavailable; beyond this the oldest are dropped with an error log.",
  },
  busyTimeoutMs: {
    type: "integer",
    default: 25,
    min: 0,
    max: 1_000,
    description:
      "How long one write waits for another process's lock before retrying later. Keep it short: the wait blocks the gateway's event loop.",
  },
} as const satisfies ConfigSpec;

export type LedgerConfig = ParsedConfig<typeof CONFIG_SPEC>;

export function parseLedgerConfig(raw: unknown): LedgerConfig {
  return parseConfig(PLUGIN_ID, CONFIG_SPEC, raw);
}
