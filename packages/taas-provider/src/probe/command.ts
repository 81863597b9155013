import { createInterface } from "node:readline/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { GatewayPriceReader } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { isRecord } from "@cloudsigma/taas-core/records";
import { layeredPrices, pricesFromHostConfig } from "@cloudsigma/taas-core/usage/model-prices";
import type { OpenClawConfig, OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { resolveBaseUrl } from "../base-url.ts";
import type { TaasProviderConfig } from "../config.ts";
import { AUTH, DEFAULT_MODEL_ID, PLUGIN_ID, PROVIDER_ALIAS, PROVIDER_ID } from "../identity.ts";
import { redactSecret } from "../redact.ts";
import { PROBE_CAPS } from "./budget.ts";
import { ProbeFlagError, type ProbeFlags, parseProbeFlags } from "./flags.ts";
import { runProbe } from "./run.ts";

type CliRegistrar = Parameters<OpenClawPluginApi["registerCli"]>[0];

export const PROBE_CLI_DESCRIPTOR = {
  name: PLUGIN_ID,
  description: "CloudSigma TaaS: measure how the configured endpoint caches prompts (probe)",
  hasSubcommands: true,
};

export interface ProbeCliDeps {
  settings: () => TaasProviderConfig;
  stateDir: () => string;
  pluginVersion: string;
  /** The plain key the host would send for `cloudsigma` under `config`, if any. */
  apiKey: (config: OpenClawConfig) => Promise<string | undefined>;
  env: Readonly<Record<string, string | undefined>>;
}

/** The model the host's default agent uses when it is one of ours, else the provider's default. */
export function defaultProbeModel(config: OpenClawConfig | undefined): string {
  const model: unknown = config?.agents?.defaults?.model;
  const primary = isRecord(model) ? model.primary : model;
  if (typeof primary === "string") {
    for (const provider of [PROVIDER_ID, PROVIDER_ALIAS]) {
      if (primary.startsWith(`${provider}/`)) return primary.slice(provider.length + 1);
    }
  }
  return DEFAULT_MODEL_ID;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `openclaw cloudsigma probe`: runs in the CLI process, never in the gateway or on a turn's
 * path. Results go to stdout (`--json` for scripts); the estimate, progress and any stop line
 * to stderr.
 */
export function probeCli(deps: ProbeCliDeps): CliRegistrar {
  return ({ program, config }) => {
    const root = program.command(PLUGIN_ID).description(PROBE_CLI_DESCRIPTOR.description);
    root
      .command("probe")
      .description(
        "Measure the endpoint's prompt cache per model (minimum, step, plateau, ready delay, identity rule, write reporting, headers; --lifetime: idle lifetime) and save it for the usage ledger",
      )
      .option(
        "--model <id>",
        "a model to probe (repeatable; default: the default model)",
        collect,
        [],
      )
      .option("--json", "the results as JSON on stdout")
      .option("--yes", "send without asking (the estimate is still printed)")
      .option(
        "--lifetime <bound>",
        "also measure the idle lifetime, up to this bound (e.g. 15m; slow: waits up to twice the bound)",
      )
      .option(
        "--max-requests <n>",
        `cap on requests for the run (default ${PROBE_CAPS.requests.default}, at most ${PROBE_CAPS.requests.ceiling})`,
      )
      .option(
        "--max-tokens <n>",
        `cap on prompt tokens for the run (default ${PROBE_CAPS.tokens.default}, at most ${PROBE_CAPS.tokens.ceiling})`,
      )
      .option(
        "--rate <n>",
        "most requests per minute (default 12; TaaS spreads a key sending faster; 0: no limit)",
      )
      .option(
        "--prefix-tokens <n>",
        "length of the long prefix, past the plateau you expect (default 6144)",
      )
      .option("--timeout <seconds>", "time budget of one request (default 60)")
      .action(async (flags: ProbeFlags) => {
        const io = {
          out: (text: string) => process.stdout.write(text),
          err: (text: string) => process.stderr.write(text),
        };
        const code = await probeAction(flags, config, deps, io);
        if (code !== 0) process.exitCode = code;
      });
  };
}

async function probeAction(
  flags: ProbeFlags,
  config: OpenClawConfig,
  deps: ProbeCliDeps,
  io: { out: (text: string) => void; err: (text: string) => void },
): Promise<number> {
  let parsed: ReturnType<typeof parseProbeFlags>;
  try {
    parsed = parseProbeFlags(flags, defaultProbeModel(config));
  } catch (error) {
    if (!(error instanceof ProbeFlagError)) throw error;
    io.err(`cloudsigma probe: ${error.message}\n`);
    return 2;
  }
  let apiKey: string | undefined;
  try {
    apiKey = await deps.apiKey(config);
  } catch {
    // No runtime in this load mode: the environment's key below.
  }
  apiKey ??= deps.env[AUTH.envVar]?.trim() || undefined;
  if (!apiKey) {
    io.err(
      `cloudsigma probe: no usable API key for ${PROVIDER_ID} (set ${AUTH.envVar}, or onboard with ${AUTH.cliFlag})\n`,
    );
    return 2;
  }
  const stateDir = deps.stateDir();
  const stdin = process.stdin;
  try {
    return await runProbe(
      { ...parsed, baseUrl: resolveBaseUrl(config, deps.settings().baseUrl), apiKey },
      {
        stateDir,
        prices: layeredPrices(
          pricesFromHostConfig(() => config),
          new GatewayPriceReader(stateDir).lookup,
        ),
        pluginVersion: deps.pluginVersion,
        clock: { now: Date.now, sleep: (ms) => sleep(ms) },
        out: io.out,
        err: io.err,
        confirm: stdin.isTTY ? (question) => ask(question) : undefined,
      },
    );
  } catch (error) {
    io.err(`cloudsigma probe: failed: ${redactSecret(errorText(error, 300), apiKey)}\n`);
    return 1;
  }
}

async function ask(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}
