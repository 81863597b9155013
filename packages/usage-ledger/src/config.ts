import { type ConfigSpec, type ParsedConfig, parseConfig } from "@cloudsigma/taas-core/config";
import { USAGE_LEDGER_PLUGIN_ID } from "@cloudsigma/taas-core/contracts/plugin-ids";

/** Named by the route-store and gateway-prices seams, so it is declared with them. */
export const PLUGIN_ID = USAGE_LEDGER_PLUGIN_ID;

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
      "The ledger's SQLite file. Default: <state dir>/usage-ledger/ledger.sqlite. A relative path resolves against the state dir. An original usage-ledger extension's usage-ledger.db is used in place: its llm_usage_events history is imported once and the table kept up to date.",
  },
  debug: {
    type: "boolean",
    default: false,
    description:
      "Log each written batch and the original usage-ledger file's import and mirror writes at info level (the key the original usage-ledger extension's config used).",
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
  cacheMinTokens: {
    type: "integer",
    default: 1024,
    min: 1,
    max: 1_000_000,
    description:
      "Shortest prompt the provider caches (OpenAI: 1024 tokens; Anthropic: 1024-4096 by model). Below it a call's ceiling is 0.",
  },
  cacheStepTokens: {
    type: "integer",
    default: 128,
    min: 1,
    max: 100_000,
    description:
      "Cache hits come in multiples of this many tokens above the minimum (OpenAI: 128).",
  },
  cacheTtlSeconds: {
    type: "integer",
    default: 300,
    min: 1,
    max: 86_400,
    description:
      "Idle time after which a cached prefix is gone (OpenAI: cleared after 5-10 min idle; Anthropic: 5 min, or 1 h when asked). A miss after a longer gap is ttl_expired.",
  },
  cacheGeometry: {
    type: "integerRecords",
    maxEntries: 256,
    fields: {
      minTokens: { min: 1, max: 1_000_000, description: "Shortest cached prompt." },
      stepTokens: { min: 1, max: 100_000, description: "Cache hit granularity." },
      ttlSeconds: { min: 1, max: 86_400, description: "Idle lifetime of a cached prefix." },
      plateauTokens: {
        min: 0,
        max: 1_000_000,
        description:
          "Where the provider's cache reads stop however long the shared prefix (OpenAI-family: near 4864 in OpenClaw's live probes); 0: no plateau. Absent: learned from the calls.",
      },
      readyDelaySeconds: {
        min: 0,
        max: 3_600,
        description:
          "Seconds after a prefix is first sent before the provider can read it (DeepSeek-style delayed caches); a miss sooner than that is not_ready. Default 0.",
      },
    },
    description:
      'Per-model cache settings over the defaults above, keyed "<provider>/<model>" (the routed model for autorouted calls); a key ending in "*" matches by prefix, the longest key wins.',
  },
  missLogTokens: {
    type: "integer",
    default: 4096,
    min: 0,
    max: 10_000_000,
    description:
      "A call that misses more than this many tokens it could have read from cache logs one line (agent, cause, tokens), at most once per agent per minute; never for plateau or not_ready (nothing to fix). 0: never.",
  },
  keepWarmAdviceSeconds: {
    type: "integer",
    default: 600,
    min: 0,
    max: 86_400,
    description:
      "How often the gateway computes the keep-warm advice over the last 7 days and writes each agent's verdict for the token-cache optimizer's pinger (usage-ledger/keep-warm.json). 0: never (the pinger then treats every agent as without history).",
  },
  postgres: {
    type: "section",
    description:
      "Forward every row to a central PostgreSQL table (the local ledger stays the source of truth). Give one of url, urlEnv and service; the password comes from the environment (PGPASSWORD, or the URL in the variable urlEnv names) or the service file, never from this file.",
    fields: {
      url: {
        type: "optionalString",
        maxLength: 2048,
        description:
          "postgres://user@host:5432/db, without a password (rejected here); the password is read from PGPASSWORD.",
      },
      urlEnv: {
        type: "optionalString",
        maxLength: 128,
        description: "Name of an environment variable holding the full connection URL.",
      },
      service: {
        type: "optionalString",
        maxLength: 63,
        description:
          "A libpq service name: host, port, dbname, user, password and sslmode from its [section] in PGSERVICEFILE (default ~/.pg_service.conf), then PGSYSCONFDIR/pg_service.conf.",
      },
      table: {
        type: "string",
        default: "usage_ledger_rows",
        maxLength: 48,
        description:
          "Central table (created on first use, partitioned by UTC day, with its hourly rollup <table>_hourly); a lower-case SQL identifier of at most 48 characters, so its partitions' names fit PostgreSQL's 63.",
      },
      gatewayId: {
        type: "optionalString",
        maxLength: 200,
        description: "This gateway's gateway_id in the central table. Default: the host name.",
      },
      batchSize: {
        type: "integer",
        default: 500,
        min: 1,
        max: 1_000,
        description: "Rows per INSERT.",
      },
      intervalMs: {
        type: "integer",
        default: 5_000,
        min: 100,
        max: 3_600_000,
        description:
          "Pause between forwarding passes (doubled per failure while PostgreSQL is down, up to 60 s).",
      },
      retentionDays: {
        type: "integer",
        default: 0,
        min: 0,
        max: 36_500,
        description:
          "Drop the central table's day partitions (and the rollup's hours) older than this many days, a whole day at a time; rows older than that are not forwarded. 0 keeps everything. Any gateway's forwarder applies it, once a day.",
      },
    },
  },
} as const satisfies ConfigSpec;

export type LedgerConfig = ParsedConfig<typeof CONFIG_SPEC>;

export function parseLedgerConfig(raw: unknown): LedgerConfig {
  return parseConfig(PLUGIN_ID, CONFIG_SPEC, raw);
}
