import { parseArgs } from "node:util";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { DEFAULT_KEYLESS_SEED, MAX_SEED } from "./options.ts";
import { DEFAULT_PROFILE, PROFILE_DEFAULTS, type RuleOptions } from "./profiles.ts";
import {
  AFFINITY_BINDINGS,
  EMULATOR_PROFILES,
  KEY_ORDERS,
  KEYLESS_ROUTINGS,
  type KeylessRouting,
  MODELS_FAULTS,
  MODELS_LISTINGS,
  type ModelsFault,
  type ModelsListing,
  SLOT_OVERFLOWS,
  type StartOptions,
} from "./types.ts";

export const USAGE = `Usage: taas-emulator [options]

  --port N                 port to listen on (default 8787; 0 picks a free port)
  --host HOST              interface to bind (default 127.0.0.1)
  --replicas N             number of upstream replicas, each with its own cache (default 4)
  --api-key KEY            bearer key clients must send (default taas-emulator-key)
  --ttl-ms N               prefix-cache entry lifetime after last use (default 300000)
  --capacity-blocks N      prefix-cache LRU capacity per replica (default 20000)
  --min-cache-tokens N     smallest cacheable prefix (default 1024)
  --cache-step-tokens N    cache boundary step (default 128)
  --models-fault MODE      ${MODELS_FAULTS.join(" | ")}
  --models-listing MODE    ${MODELS_LISTINGS.join(" | ")}: /v1/models rows as TaaS or plain OpenAI (default taas)
  --models-delay-ms N      delay for --models-fault slow (default 10000)
  --redirect-to URL        Location for --models-fault redirect
  --chat-latency-ms N      delay before the first byte of a chat response (default 0)
  --record-limit N         requests kept for /__emulator/requests (default 500)
  --max-body-bytes N       largest accepted request body (default 8388608)
  --history-ttl-ms N       how long the cache cause remembers what a conversation sent
                           (default max(3600000, 12 x --ttl-ms))
  --history-capacity-blocks N  bound of that memory (default 4 x replicas x capacity-blocks)
  --keyless-routing MODE   replica choice without an affinity key: ${KEYLESS_ROUTINGS.join(" | ")}
                           (default from --profile: ${PROFILE_DEFAULTS.documented.keylessRouting}; legacy ${PROFILE_DEFAULTS.legacy.keylessRouting})
  --keyless-seed N         seed of the keyless random picks and guesses (default ${DEFAULT_KEYLESS_SEED})
  --anthropic-usage        add cache_read/cache_creation_input_tokens to usage
  --help                   show this help

Documented TaaS rules (each default comes from --profile; see the README's rule table):
  --profile NAME           ${EMULATOR_PROFILES.join(" | ")} (default ${DEFAULT_PROFILE}): documented turns on
                           every rule below, legacy keeps the emulator's historic behaviour;
                           a flag below wins over either
  --require-agent-id       honour an affinity id only with an agent id (--no-require-agent-id)
  --key-order ORDER        ${KEY_ORDERS.join(" | ")}: which affinity fields are read, in which order
  --affinity-binding MODE  ${AFFINITY_BINDINGS.join(" | ")}: recompute a key's replica, or bind it once
  --slot-max-concurrent N  requests one replica serves at once (0 unlimited)
  --slot-rpm N             requests one replica admits per minute (0 unlimited)
  --slot-overflow MODE     ${SLOT_OVERFLOWS.join(" | ")}: what a request does when its replica is full
  --cache-profiles         per-family caches: openai, anthropic, delayed (--no-cache-profiles)
  --cache-plateau-tokens N openai family: reads stop here (0 none)
  --cache-ready-delay-ms N delayed family: a prefix is readable this long after first sent
  --cache-per-model        one cache per replica and model (--no-cache-per-model)
  --upstream-header        send X-TaaS-Upstream, a test aid (--no-upstream-header)
  --autorouter-algorithms  honour X-TaaS-Autorouter-Algorithm (--no-autorouter-algorithms)`;

/** On/off rules: `--NAME` turns one on, `--no-NAME` off, neither leaves the profile's default. */
const SWITCHES = {
  "require-agent-id": "requireAgentId",
  "cache-profiles": "cacheProfiles",
  "cache-per-model": "cachePerModel",
  "upstream-header": "upstreamHeader",
  "autorouter-algorithms": "autorouterAlgorithms",
} as const satisfies Record<string, keyof RuleOptions>;

/** A command-line mistake: reported as a usage message, never as a stack trace. */
export class UsageError extends Error {
  override name = "UsageError";
}

export type CliCommand = { kind: "help" } | { kind: "start"; options: StartOptions };

/** Each numeric flag's least value, or its [least, greatest] where it has a ceiling. */
const NUMERIC_FLAGS = {
  port: [0, 65_535],
  replicas: [1, 1024],
  "ttl-ms": 0,
  "capacity-blocks": 1,
  "min-cache-tokens": 1,
  "cache-step-tokens": 1,
  "models-delay-ms": 0,
  "chat-latency-ms": 0,
  "record-limit": 0,
  "max-body-bytes": 1,
  "keyless-seed": [0, MAX_SEED],
  "history-ttl-ms": 0,
  "history-capacity-blocks": 1,
  "slot-max-concurrent": 0,
  "slot-rpm": 0,
  "cache-plateau-tokens": 0,
  "cache-ready-delay-ms": 0,
} as const satisfies Record<string, number | readonly [number, number]>;

type NumericFlag = keyof typeof NUMERIC_FLAGS;

function integerFlag(flag: NumericFlag, raw: string): number {
  const bounds: number | readonly [number, number] = NUMERIC_FLAGS[flag];
  const [min, max] = typeof bounds === "number" ? [bounds, Number.MAX_SAFE_INTEGER] : bounds;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `--${flag} must be an integer from ${min} to ${max}, got "${raw.slice(0, 60)}"`,
    );
  }
  return value;
}

/** A flag whose value must be one of `allowed`; undefined when the flag was not given. */
function oneOf<T extends string>(
  flag: string,
  raw: string | boolean | undefined,
  allowed: readonly T[],
): T | undefined {
  if (typeof raw !== "string") return undefined;
  const match = allowed.find((value) => value === raw);
  if (match === undefined) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}, got "${raw}"`);
  }
  return match;
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  const stringFlags = Object.fromEntries(
    [
      ...Object.keys(NUMERIC_FLAGS),
      "host",
      "api-key",
      "models-fault",
      "models-listing",
      "redirect-to",
      "keyless-routing",
      "profile",
      "key-order",
      "affinity-binding",
      "slot-overflow",
    ].map((name) => [name, { type: "string" as const }]),
  );
  const switchFlags = Object.fromEntries(
    Object.keys(SWITCHES).flatMap((name) => [
      [name, { type: "boolean" as const }],
      [`no-${name}`, { type: "boolean" as const }],
    ]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ...stringFlags,
        ...switchFlags,
        "anthropic-usage": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(errorText(error));
  }
  if (values.help === true) return { kind: "help" };

  const numeric = (flag: NumericFlag): number | undefined => {
    const raw = values[flag];
    return typeof raw === "string" ? integerFlag(flag, raw) : undefined;
  };
  const options: StartOptions = {
    port: numeric("port") ?? 8787,
    replicas: numeric("replicas"),
    cacheTtlMs: numeric("ttl-ms"),
    cacheCapacityBlocks: numeric("capacity-blocks"),
    minCacheTokens: numeric("min-cache-tokens"),
    cacheStepTokens: numeric("cache-step-tokens"),
    modelsDelayMs: numeric("models-delay-ms"),
    chatLatencyMs: numeric("chat-latency-ms"),
    recordLimit: numeric("record-limit"),
    maxBodyBytes: numeric("max-body-bytes"),
    keylessSeed: numeric("keyless-seed"),
    historyTtlMs: numeric("history-ttl-ms"),
    historyCapacityBlocks: numeric("history-capacity-blocks"),
    slotMaxConcurrent: numeric("slot-max-concurrent"),
    slotRequestsPerMinute: numeric("slot-rpm"),
    cachePlateauTokens: numeric("cache-plateau-tokens"),
    cacheReadyDelayMs: numeric("cache-ready-delay-ms"),
  };
  if (typeof values.host === "string") options.host = values.host;
  if (typeof values["api-key"] === "string") {
    if (values["api-key"] === "") throw new UsageError("--api-key must not be empty");
    options.apiKey = values["api-key"];
  }
  const fault = oneOf<ModelsFault>("models-fault", values["models-fault"], MODELS_FAULTS);
  if (fault) options.modelsFault = fault;
  const listing = oneOf<ModelsListing>("models-listing", values["models-listing"], MODELS_LISTINGS);
  if (listing) options.modelsListing = listing;
  const keyless = oneOf<KeylessRouting>(
    "keyless-routing",
    values["keyless-routing"],
    KEYLESS_ROUTINGS,
  );
  if (keyless) options.keylessRouting = keyless;
  options.profile = oneOf("profile", values.profile, EMULATOR_PROFILES);
  options.keyOrder = oneOf("key-order", values["key-order"], KEY_ORDERS);
  options.affinityBinding = oneOf(
    "affinity-binding",
    values["affinity-binding"],
    AFFINITY_BINDINGS,
  );
  options.slotOverflow = oneOf("slot-overflow", values["slot-overflow"], SLOT_OVERFLOWS);
  for (const [flag, option] of Object.entries(SWITCHES)) {
    if (values[flag] === true && values[`no-${flag}`] === true) {
      throw new UsageError(`--${flag} and --no-${flag} contradict each other`);
    }
    if (values[flag] === true) options[option] = true;
    if (values[`no-${flag}`] === true) options[option] = false;
  }
  if (typeof values["redirect-to"] === "string") options.redirectTo = values["redirect-to"];
  if (values["anthropic-usage"] === true) options.anthropicUsage = true;
  return { kind: "start", options };
}
