import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_CATALOG } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Host,
  nonEmpty,
  parseJsonOutput,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../e2e/harness/index.ts";
import {
  bodyOf,
  emulatorLog,
  KEY,
  onboardArgs,
  PLUGIN_DIR,
  readHostConfig,
  recordHost,
  writeHostConfigFile,
} from "./e2e.test-support.ts";
import type { ModelDefinition } from "./model-types.ts";
import { readMarks, rowDigest } from "./onboard-marks.ts";
import { isSeedModelId, staticModels } from "./seed-catalog.ts";

// An operator who installs the plugin from a local folder and onboards with the CLI flag, with no
// key in the environment afterwards, against a gateway whose /models is a plain OpenAI listing
// (ids only); the token-cache optimizer is loaded beside it when built.

const OPTIMIZER_DIR = fileURLToPath(new URL("../../token-cache-optimizer", import.meta.url));
const OPTIMIZER_ID = "openclaw-taas-affinity";
const optimizerBuilt = existsSync(join(OPTIMIZER_DIR, "dist", "index.js"));

const staticIds = staticModels().map((row) => row.id);
/** The plain listing's ids that are not static rows and do not name embeddings or a reranker. */
const listedIds = DEFAULT_CATALOG.filter(
  (row) => !isSeedModelId(row.id) && !/embed|rerank/.test(row.id),
).map((row) => row.id);

interface OnboardedConfig {
  models: { providers: { cloudsigma: { baseUrl: string; models: ModelDefinition[] } } };
  plugins: { entries: { cloudsigma: { config: { onboardedRows: string[] } } } };
}

async function onboarded(host: Host) {
  const config = await readHostConfig<OnboardedConfig>(host.state);
  return {
    config,
    rows: config.models.providers.cloudsigma.models,
    marks: readMarks(config.plugins.entries.cloudsigma.config.onboardedRows),
  };
}

describe("cloudsigma provider onboarded with --cloudsigma-api-key", () => {
  let host: Host;
  let turnSeq = 0;
  const cli = recordHost();
  const requests = emulatorLog(() => host.emulator);

  beforeAll(async () => {
    host = await startHost({
      name: "taas-provider-onboard",
      emulator: { modelsListing: "openai" },
      // Another provider's model as the default, so the test sees onboarding replace it.
      config: {
        models: [{ id: "gpt-5.5" }],
        configureProvider: false,
        primaryModel: "openai/gpt-5",
      },
      gateway: { token: "onboard-token", start: false },
    });
  });

  afterAll(() => tearDownHost(host));

  it("installs the local folder with a link, which gives onboarding its flag", async () => {
    const install = await cli.cli(host.state, [
      ...["plugins", "install", "--link", PLUGIN_DIR],
      ...["--force", "--accept-capabilities"],
    ]);
    expect(install.code, install.stderr).toBe(0);
    const config = await readHostConfig(host.state);
    expect(config.plugins.load.paths).toContain(PLUGIN_DIR);
    // Point the plugin (and so the onboarded provider) at the emulator; load the optimizer too.
    config.plugins.entries.cloudsigma = { enabled: true, config: { baseUrl: host.emulator.url } };
    if (optimizerBuilt) {
      config.plugins.load.paths.push(OPTIMIZER_DIR);
      config.plugins.entries[OPTIMIZER_ID] = { enabled: true };
    }
    await writeHostConfigFile(host.state, config);
  });

  it("onboards: reads /models with the key it was given and writes the listed routes, marked", async () => {
    const before = requests.lastSeq();
    const onboard = await cli.cli(host.state, onboardArgs(KEY));
    expect(parseJsonOutput(onboard, "onboard")).toMatchObject({
      ok: true,
      authChoice: "cloudsigma-api-key",
    });
    // The emulator accepts only KEY: a 200 is that key on the wire.
    expect(requests.since(before, "/v1/models")).toMatchObject([{ status: 200 }]);
    const { config, rows, marks } = await onboarded(host);
    expect(config.models.providers.cloudsigma.baseUrl).toBe(host.emulator.url);
    expect(rows.map((row) => row.id)).toEqual([...staticIds, ...listedIds]);
    expect(rows.slice(0, staticIds.length)).toEqual(staticModels());
    expect(new Map(rows.map((row) => [row.id, rowDigest(row)]))).toEqual(marks);
    expect(config).toMatchObject({
      agents: {
        defaults: {
          model: { primary: "cloudsigma/gpt-5.5" },
          models: { "cloudsigma/gpt-5.5": { alias: "CloudSigma TaaS" } },
        },
      },
      auth: { profiles: { "cloudsigma:default": { provider: "cloudsigma", mode: "api_key" } } },
    });
    expect(onboard.stderr).toContain(
      `cloudsigma: onboarding wrote ${rows.length} catalog row(s) for "${host.emulator.url}" into models.providers.cloudsigma.models`,
    );
    // The key went to the host's credential store, not into the config.
    expect(JSON.stringify(config)).not.toContain(KEY);
  });

  it("lists the discovered routes on refresh, text-only, with no key in the environment", async () => {
    const result = await cli.cli(host.state, [
      ...["models", "list", "--provider", "cloudsigma", "--refresh", "--json"],
    ]);
    const listed = parseJsonOutput<{ models: { key: string; input: string }[] }>(
      result,
      "models list",
    ).models;
    expect(listed.map((row) => row.key).sort()).toEqual(
      [...staticIds, ...listedIds].map((id) => `cloudsigma/${id}`).sort(),
    );
    for (const id of listedIds) {
      expect(listed.find((row) => row.key === `cloudsigma/${id}`)?.input, id).toBe("text");
    }
  });

  it("answers a turn with the stored key, none in the environment", async () => {
    turnSeq = requests.lastSeq();
    const turn = await cli.turn(host.state, { message: "hello after onboarding", local: true });
    expect(turn.json.meta.agentMeta).toMatchObject({ provider: "cloudsigma", model: "gpt-5.5" });
    expect(requests.since(turnSeq)).toMatchObject([{ status: 200, model: "gpt-5.5" }]);
  });

  it.skipIf(!optimizerBuilt)("still lets the token-cache optimizer decorate its requests", () => {
    const [request] = requests.since(turnSeq);
    const metadata = bodyOf(request).metadata as { session_id?: unknown } | undefined;
    expect(metadata?.session_id).toEqual(expect.stringMatching(/^oc:/));
    expect(request?.headers["x-session-id"]).toEqual(expect.any(String));
  });

  it("re-onboarding after an upgrade refreshes onboarding's rows and keeps the operator's", async () => {
    const { config, rows, marks } = await onboarded(host);
    // An upgrade, simulated: the gpt-5.4 row and its mark as an older release would have written
    // them. A hand edit: gpt-5.5 renamed, its mark untouched. And a route the operator added.
    const older = { ...requireRow(rows, "gpt-5.4"), maxTokens: 1_000 };
    const edited = { ...requireRow(rows, "gpt-5.5"), name: "My GPT-5.5" };
    const own = { ...requireRow(rows, "glm-4.5-air"), id: "my-proxy-route", name: "Mine" };
    const replaced = rows.map((row) => ({ "gpt-5.4": older, "gpt-5.5": edited })[row.id] ?? row);
    config.models.providers.cloudsigma.models = [...replaced, own];
    marks.set("gpt-5.4", rowDigest(older));
    config.plugins.entries.cloudsigma.config.onboardedRows = [...marks].map(
      ([id, digest]) => `${id}#${digest}`,
    );
    await writeHostConfigFile(host.state, config);

    const before = requests.lastSeq();
    const onboard = await cli.cli(host.state, onboardArgs(undefined));
    expect(parseJsonOutput(onboard, "re-onboard")).toMatchObject({ ok: true });
    // The stored key read the list again.
    expect(requests.since(before, "/v1/models")).toMatchObject([{ status: 200 }]);
    const after = await onboarded(host);
    expect(requireRow(after.rows, "gpt-5.4")).toEqual(requireRow(staticModels(), "gpt-5.4"));
    expect(requireRow(after.rows, "gpt-5.5")).toEqual(edited);
    expect(requireRow(after.rows, "my-proxy-route")).toEqual(own);
    expect(after.rows.map((row) => row.id).sort()).toEqual(
      [...staticIds, ...listedIds, "my-proxy-route"].sort(),
    );
    expect(after.marks.has("gpt-5.5")).toBe(false);
    expect(after.marks.has("my-proxy-route")).toBe(false);
    expect(after.marks.get("gpt-5.4")).toBe(rowDigest(requireRow(staticModels(), "gpt-5.4")));
    expect(onboard.stderr).toMatch(
      /\(the gateway's \/models listed \d+ chat route\(s\), 0 with prices; 1 refreshed, 0 new, 0 removed\); kept your own row for 1 id\(s\) \("gpt-5\.5"\)/,
    );
  });

  it("at gateway start, says the host's discovery does not run for this endpoint, and reads /models itself", async () => {
    const before = requests.lastSeq();
    const config = await readHostConfig(host.state);
    const gateway = await host.startGateway();
    try {
      const line = `cloudsigma: the host's live model discovery does not run: models.providers.cloudsigma.baseUrl "${host.emulator.url}" is not the catalog endpoint this plugin declares (https://taas.cloudsigma.com/v1)`;
      await waitFor("the gateway's line on discovery", () => gateway.output().includes(line), {
        timeoutMs: 30_000,
      });
      // The host never asks the catalog here; the plugin's listing refresh reads the list, with
      // the key onboarding stored, and (the listing unchanged) writes no config.
      await waitFor("the listing refresh's read", () =>
        nonEmpty(requests.since(before, "/v1/models")),
      );
      expect(requests.since(before, "/v1/models")).toMatchObject([{ status: 200 }]);
      expect(await readHostConfig(host.state)).toMatchObject({
        models: config.models,
        plugins: { entries: { cloudsigma: config.plugins.entries.cloudsigma } },
      });
    } finally {
      await gateway.stop();
      host.gateway = undefined;
    }
  });

  it("never prints the key", async () => {
    await cli.keepLogs(host.state);
    expect(cli.size).toBeGreaterThan(0);
    expect(cli.containing(KEY)).toEqual([]);
  });
});

function requireRow(rows: readonly ModelDefinition[], id: string): ModelDefinition {
  const row = rows.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no row ${id} among ${rows.map((r) => r.id).join(", ")}`);
  return row;
}
