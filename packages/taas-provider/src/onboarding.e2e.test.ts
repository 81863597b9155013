import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunningEmulator } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseJsonOutput,
  type StateDir,
  startHost,
  tearDownHost,
} from "../../../e2e/harness/index.ts";
import {
  bodyOf,
  emulatorLog,
  KEY,
  PLUGIN_DIR,
  readHostConfig,
  recordHost,
  writeHostConfigFile,
} from "./e2e.test-support.ts";
import { staticModels } from "./seed-catalog.ts";

// An operator who installs the plugin from a local folder and onboards with the CLI flag, with no
// key in the environment afterwards; the token-cache optimizer is loaded beside it when built.

const OPTIMIZER_DIR = fileURLToPath(new URL("../../token-cache-optimizer", import.meta.url));
const OPTIMIZER_ID = "openclaw-taas-affinity";
const optimizerBuilt = existsSync(join(OPTIMIZER_DIR, "dist", "index.js"));

describe("cloudsigma provider onboarded with --cloudsigma-api-key", () => {
  let emulator: RunningEmulator;
  let state: StateDir;
  let turnSeq = 0;
  const host = recordHost();
  const requests = emulatorLog(() => emulator);

  beforeAll(async () => {
    ({ emulator, state } = await startHost({
      name: "taas-provider-onboard",
      // Another provider's model as the default, so the test sees onboarding replace it.
      config: {
        models: [{ id: "gpt-5.5" }],
        configureProvider: false,
        primaryModel: "openai/gpt-5",
      },
    }));
  });

  afterAll(() => tearDownHost({ emulator, state }));

  it("installs the local folder with a link, which gives onboarding its flag", async () => {
    const install = await host.cli(state, [
      ...["plugins", "install", "--link", PLUGIN_DIR],
      ...["--force", "--accept-capabilities"],
    ]);
    expect(install.code, install.stderr).toBe(0);
    const config = await readHostConfig(state);
    expect(config.plugins.load.paths).toContain(PLUGIN_DIR);
    // Point the plugin (and so the onboarded provider) at the emulator; load the optimizer too.
    config.plugins.entries.cloudsigma = { enabled: true, config: { baseUrl: emulator.url } };
    if (optimizerBuilt) {
      config.plugins.load.paths.push(OPTIMIZER_DIR);
      config.plugins.entries[OPTIMIZER_ID] = { enabled: true };
    }
    await writeHostConfigFile(state, config);
  });

  it("onboards non-interactively: catalog, default model, alias; the key not in the config", async () => {
    const onboard = await host.cli(state, [
      ...["onboard", "--non-interactive", "--accept-risk", "--mode", "local"],
      ...["--cloudsigma-api-key", KEY, "--skip-channels", "--skip-daemon", "--skip-health"],
      ...["--skip-skills", "--skip-search", "--skip-hooks", "--skip-ui", "--json"],
    ]);
    expect(parseJsonOutput(onboard, "onboard")).toMatchObject({
      ok: true,
      authChoice: "cloudsigma-api-key",
    });
    const written = await readHostConfig(state);
    expect(written).toMatchObject({
      models: {
        providers: {
          cloudsigma: { baseUrl: emulator.url, api: "openai-completions", models: staticModels() },
        },
      },
      agents: {
        defaults: {
          model: { primary: "cloudsigma/gpt-5.5" },
          models: { "cloudsigma/gpt-5.5": { alias: "CloudSigma TaaS" } },
        },
      },
      auth: { profiles: { "cloudsigma:default": { provider: "cloudsigma", mode: "api_key" } } },
    });
    // The key went to the host's credential store, not into the config.
    expect(JSON.stringify(written)).not.toContain(KEY);
  });

  it("answers a turn with the stored key, none in the environment", async () => {
    turnSeq = requests.lastSeq();
    const turn = await host.turn(state, { message: "hello after onboarding", local: true });
    expect(turn.json.meta.agentMeta).toMatchObject({ provider: "cloudsigma", model: "gpt-5.5" });
    expect(requests.since(turnSeq)).toMatchObject([{ status: 200, model: "gpt-5.5" }]);
  });

  it.skipIf(!optimizerBuilt)("still lets the token-cache optimizer decorate its requests", () => {
    const [request] = requests.since(turnSeq);
    const metadata = bodyOf(request).metadata as { session_id?: unknown } | undefined;
    expect(metadata?.session_id).toEqual(expect.stringMatching(/^oc:/));
    expect(request?.headers["x-session-id"]).toEqual(expect.any(String));
  });

  it("never prints the key", async () => {
    await host.keepLogs(state);
    expect(host.size).toBeGreaterThan(0);
    expect(host.containing(KEY)).toEqual([]);
  });
});
