import { existsSync } from "node:fs";
import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { DEFAULT_API_KEY, type RecordedRequest } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClawPack,
  check,
  clawPack,
  npm,
  type PluginPackage,
  pluginPackages,
  releaseFiles,
} from "../scripts/plugin-packages.ts";
import {
  childEnv,
  createStateDir,
  type Host,
  inspectAllPlugins,
  inspectPlugin,
  runAgentTurn,
  runOpenClaw,
  type StateDir,
  startHost,
  tearDownHost,
  writeHostConfig,
} from "./harness/index.ts";

// What would be published, installed the ways operators install it: every plugin's ClawPack
// (`clawhub package pack`, the tarball `clawhub package publish` uploads and a `clawhub:` install
// downloads and installs as an archive) through `openclaw plugins install <tgz>` into a clean
// state dir, and the optimizer copied from a checkout into the extensions folder with
// `npm ci --omit=dev --ignore-scripts`. Nothing here loads the work tree with --link or load paths.

const PACKAGES = pluginPackages();
const PROVIDER = "cloudsigma";
const OPTIMIZER = "openclaw-taas-affinity";
/** The plugins whose READMEs tell the operator to grant conversation hooks. */
const CONVERSATION_GRANT = ["usage-ledger", "token-audit", "orchestrator"];

const packageOf = (id: string): PluginPackage => {
  const found = PACKAGES.find((pkg) => pkg.id === id);
  if (!found) throw new Error(`no plugin package with id ${id}`);
  return found;
};

/** Files below `dir`, relative and sorted; `node_modules` is the host's, not the package's. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .filter((path) => !path.startsWith("node_modules/"))
    .sort();
}

const chatsSince = (requests: RecordedRequest[], seq: number) =>
  requests.filter((r) => r.seq > seq && r.path === "/v1/chat/completions");
const bodyOf = (request: RecordedRequest | undefined) =>
  (request?.body ?? {}) as { metadata?: Record<string, unknown> } & Record<string, unknown>;

describe("release tarballs in a clean OpenClaw", () => {
  let host: Host;
  const packs = new Map<string, ClawPack>();
  const installed = (id: string) => join(host.state.dir, "extensions", id);

  beforeAll(async () => {
    host = await startHost({
      name: "release-install",
      // A clean host: no plugin of ours listed, no cloudsigma provider config (the installed
      // provider plugin brings its catalog).
      config: { models: [{ id: "gpt-5.5" }], configureProvider: false },
    });
    const out = join(host.state.home, "packs");
    for (const pack of await Promise.all(PACKAGES.map((pkg) => clawPack(pkg, out))))
      packs.set(pack.name, pack);
  });

  afterAll(() => tearDownHost(host));

  it("packs every plugin into a ClawPack: its name and version, one entry per release file", () => {
    for (const pkg of PACKAGES) {
      expect(packs.get(pkg.packageName), pkg.folder).toMatchObject({
        version: pkg.version,
        files: releaseFiles(pkg.dir).length,
      });
    }
  });

  it("installs every tarball with `openclaw plugins install <tgz>` into <state>/extensions/<id>", async () => {
    for (const pkg of PACKAGES) {
      const tarball = packs.get(pkg.packageName)?.path ?? "";
      const result = await runOpenClaw(
        host.state,
        ["plugins", "install", tarball, "--force", "--accept-capabilities"],
        { logName: `install-${pkg.id}` },
      );
      expect(result.code, `${pkg.id}: ${result.stdout}\n${result.stderr}`).toBe(0);
      expect(result.stdout).toContain(`Installed plugin: ${pkg.id}`);
      expect(await filesBelow(installed(pkg.id))).toEqual(releaseFiles(pkg.dir));
    }
    // What each README's Install section asks of the operator next: point the provider at its
    // endpoint (here the emulator), grant conversation hooks where needed. No plugins.allow: the
    // install record is what the host checks, and the next test proves no warning without it.
    const path = join(host.state.dir, "openclaw.json");
    const config = JSON.parse(await readFile(path, "utf8"));
    const entries: Record<string, Record<string, unknown>> = config.plugins.entries;
    for (const pkg of PACKAGES) expect(entries[pkg.id]?.enabled, pkg.id).toBe(true);
    entries[PROVIDER] = { ...entries[PROVIDER], config: { baseUrl: host.emulator.url } };
    for (const id of CONVERSATION_GRANT)
      entries[id] = { ...entries[id], hooks: { allowConversationAccess: true } };
    await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  });

  it("loads each installed copy with no diagnostics (plugins inspect --runtime)", async () => {
    // One host process reports every plugin (what `inspect <id> --runtime` reports for each).
    const all = await inspectAllPlugins(host.state);
    const byId = new Map(all.map((inspection) => [inspection.plugin.id, inspection]));
    for (const pkg of PACKAGES) {
      const inspection = byId.get(pkg.id);
      expect(inspection?.plugin, pkg.id).toMatchObject({
        id: pkg.id,
        status: "loaded",
        origin: "global",
        rootDir: installed(pkg.id),
        version: pkg.version,
      });
      expect(inspection?.install, pkg.id).toMatchObject({
        source: "archive",
        installPath: installed(pkg.id),
      });
      expect(inspection?.diagnostics, pkg.id).toEqual([]);
    }
    expect(byId.get(PROVIDER)?.plugin.providerIds).toEqual([PROVIDER]);
    expect(byId.get(OPTIMIZER)?.gatewayMethods).toEqual([
      "taas.autorouter.lastRoute",
      "taas.autorouter.setAlgorithm",
    ]);
  });

  it("runs an agent turn through the installed provider and optimizer", async () => {
    const before = host.emulator.requests().at(-1)?.seq ?? 0;
    const turn = await runAgentTurn(host.state, {
      message: "hello from the installed plugins",
      local: true,
      env: { CLOUDSIGMA_API_KEY: DEFAULT_API_KEY },
    });
    expect(turn.json.meta.agentMeta).toMatchObject({ provider: PROVIDER, model: "gpt-5.5" });
    expect(turn.reply).toMatch(/^TaaS emulator \(gpt-5\.5\): /);
    const [request] = chatsSince(host.emulator.requests(), before);
    expect(request).toMatchObject({ status: 200, model: "gpt-5.5", stream: true });
    // The provider plugin's transport (streamed usage, its prompt_cache_key) ...
    expect(bodyOf(request)).toMatchObject({
      stream_options: { include_usage: true },
      prompt_cache_key: expect.stringMatching(/:0$/),
    });
    // ... with the optimizer's decorator applied through the seam between the two copies: its
    // affinity id in the body and in X-Session-Id, and the emulator routed on it.
    const metadata = bodyOf(request).metadata;
    expect(metadata?.session_id).toMatch(/^oc:[0-9a-f]+$/);
    expect(metadata?.sticky_key).toBe(metadata?.session_id);
    expect(request?.headers["x-session-id"]).toBe(metadata?.session_id);
    expect(request?.routingSource).toBe("metadata.session_id");
    expect(metadata?.openclaw_correlation).toMatchObject({
      source: OPTIMIZER,
      plugin_version: packageOf(OPTIMIZER).version,
    });
  });

  describe("the optimizer copied from a checkout (the extensions folder, npm ci)", () => {
    let state: StateDir;
    const target = () => join(state.dir, "extensions", OPTIMIZER);

    beforeAll(async () => {
      state = await createStateDir("release-checkout");
      await writeHostConfig(state, {
        baseUrl: host.emulator.url,
        models: [{ id: "gpt-5.5" }],
        // No load path and no install record: the host discovers the folder in its extensions
        // root; the operator enables it by id and, to silence the host's provenance warning,
        // lists it in plugins.allow (the README says what else that exclusive list disables).
        extra: { plugins: { allow: [OPTIMIZER], entries: { [OPTIMIZER]: { enabled: true } } } },
      });
    });

    afterAll(() => tearDownHost({ state }));

    it("installs with `npm ci --omit=dev --ignore-scripts` from the folder's own lockfile, fetching nothing", async () => {
      // The seed's rsync: the package folder as built, minus node_modules and VCS files.
      await cp(packageOf(OPTIMIZER).dir, target(), {
        recursive: true,
        filter: (source) => !/\/(node_modules|\.git)(\/|$)/.test(source),
      });
      // --offline: a lockfile that needed the registry (a second openclaw) fails here.
      const args = ["ci", "--omit=dev", "--ignore-scripts", "--offline", "--no-audit", "--no-fund"];
      check(await npm(args, { cwd: target(), env: childEnv(state) }), "npm ci in the copy");
      expect(existsSync(join(target(), "node_modules", "openclaw"))).toBe(false);
    });

    it("loads from the extensions folder with no diagnostics", async () => {
      const inspection = await inspectPlugin(state, OPTIMIZER);
      expect(inspection.plugin).toMatchObject({
        status: "loaded",
        origin: "global",
        rootDir: target(),
        version: packageOf(OPTIMIZER).version,
      });
      expect(inspection.install).toBeUndefined();
      expect(inspection.diagnostics).toEqual([]);
      expect(inspection.plugin.providerIds).toEqual([OPTIMIZER]);
      expect(inspection.gatewayMethods).toEqual([
        "taas.autorouter.lastRoute",
        "taas.autorouter.setAlgorithm",
      ]);
    });
  });
});
