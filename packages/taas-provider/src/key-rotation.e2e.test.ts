import { DISCOVERY_ONLY_MODELS } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Host, parseJsonOutput, startHost, tearDownHost } from "../../../e2e/harness/index.ts";
import {
  emulatorLog,
  onboardArgs,
  PLUGIN_DIR,
  readHostConfig,
  recordHost,
  writeHostConfigFile,
} from "./e2e.test-support.ts";

// An operator whose TaaS key was replaced: the gateway (the emulator) accepts only the new key,
// the host still holds the old one. The README's "Rotating the API key" steps, run as written:
// onboard with the new key, run the activate command it prints, and drop the old profile.

const OLD_KEY = "sk-cloudsigma-rotation-old-3c91";
const NEW_KEY = "sk-cloudsigma-rotation-new-8d27";
const discoveryOnlyChatIds = DISCOVERY_ONLY_MODELS.filter(
  (row) => row.capabilities.chat_completions,
).map((row) => row.id);

describe("cloudsigma key rotation", () => {
  let host: Host;
  const cli = recordHost();
  const requests = emulatorLog(() => host.emulator);

  beforeAll(async () => {
    host = await startHost({
      name: "taas-provider-rotation",
      emulator: { apiKey: NEW_KEY },
      config: {
        models: [{ id: "gpt-5.5" }],
        configureProvider: false,
        primaryModel: "openai/gpt-5",
      },
    });
    const install = await cli.cli(host.state, [
      ...["plugins", "install", "--link", PLUGIN_DIR, "--force", "--accept-capabilities"],
    ]);
    expect(install.code, install.stderr).toBe(0);
    const config = await readHostConfig(host.state);
    config.plugins.entries.cloudsigma = { enabled: true, config: { baseUrl: host.emulator.url } };
    await writeHostConfigFile(host.state, config);
  });

  afterAll(() => tearDownHost(host));

  it("onboarding with a key TaaS refuses says so at once, and still stores it", async () => {
    const before = requests.lastSeq();
    const onboard = await cli.cli(host.state, onboardArgs(OLD_KEY));
    expect(parseJsonOutput(onboard, "onboard")).toMatchObject({ ok: true });
    expect(requests.since(before, "/v1/models")).toMatchObject([{ status: 401 }]);
    expect(onboard.stderr).toContain(
      "cloudsigma: onboarding did not read the gateway's model list: the gateway rejected the API key (HTTP 401); check the key you gave, then onboard again",
    );
  });

  it("a turn with the refused key names the provider and the fix in one line", async () => {
    const before = requests.lastSeq();
    const turn = await cli.cli(host.state, [
      "agent",
      "--agent",
      "main",
      "-m",
      "hi",
      "--json",
      "--local",
    ]);
    expect(turn.code).not.toBe(0);
    expect(requests.since(before).every((request) => request.status === 401)).toBe(true);
    const lines = turn.stderr.split("\n").filter((line) => line.includes("rejected the API key"));
    expect(lines).toEqual([
      expect.stringMatching(
        /cloudsigma: CloudSigma TaaS rejected the API key \(HTTP 401\) for cloudsigma\/gpt-5\.5; fix: run `openclaw onboard --non-interactive --accept-risk --mode local --cloudsigma-api-key <new key>`, then the `openclaw models auth activate \.\.\.` command it prints/,
      ),
    ]);
  });

  let activate: string[] = [];

  it("onboarding with the new key saves it inactive and prints the activate command", async () => {
    const before = requests.lastSeq();
    const onboard = await cli.cli(host.state, onboardArgs(NEW_KEY));
    // The host's replacement flow: exit 1, the connection unchanged until activated.
    expect(onboard.code).toBe(1);
    const command = /openclaw (models auth activate \S+ --agent \S+)/.exec(
      onboard.stdout + onboard.stderr,
    );
    if (!command?.[1]) throw new Error(`no activate command in: ${onboard.stderr.slice(-1500)}`);
    activate = command[1].replaceAll("'", "").split(" ");
    // The new key already read the catalog for the staged settings.
    expect(requests.since(before, "/v1/models")).toMatchObject([{ status: 200 }]);
  });

  it("activate tests the new key and selects it", async () => {
    const before = requests.lastSeq();
    const result = await cli.cli(host.state, activate);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain("Inference verified: cloudsigma/gpt-5.5");
    expect(requests.since(before)).toMatchObject([{ status: 200 }]);
    // What onboarding read with the new key is applied now: the routes only /models lists.
    const config = await readHostConfig<{
      models: { providers: { cloudsigma: { models: { id: string }[] } } };
      agents: { entries: { main: { model: string } } };
    }>(host.state);
    const ids = config.models.providers.cloudsigma.models.map((row) => row.id);
    expect(ids).toEqual(expect.arrayContaining(discoveryOnlyChatIds));
    expect(config.agents.entries.main.model).toBe(`cloudsigma/gpt-5.5@${activate[3]}`);
  });

  /** One turn, whose every model request must be answered with the new key. */
  async function turnOnTheNewKey(message: string) {
    const before = requests.lastSeq();
    const turn = await cli.turn(host.state, { message, local: true });
    expect(turn.json.meta.agentMeta).toMatchObject({ provider: "cloudsigma", model: "gpt-5.5" });
    expect(requests.since(before)).toMatchObject([{ status: 200, model: "gpt-5.5" }]);
  }

  it("the next turn uses the new key first, though the old profile is still stored", async () => {
    await turnOnTheNewKey("after rotation");
  });

  it("dropping the old profile leaves the new key the only one, and turns still answer", async () => {
    const logout = await cli.cli(host.state, [
      ...["models", "auth", "logout", "cloudsigma:default", "--yes"],
    ]);
    expect(logout.code, logout.stderr).toBe(0);
    const list = await cli.cli(host.state, [
      ...["models", "auth", "list", "--provider", "cloudsigma", "--json"],
    ]);
    const { profiles } = parseJsonOutput<{ profiles: { id: string }[] }>(list, "auth list");
    expect(profiles.map((profile) => profile.id)).toEqual([activate[3]]);
    await turnOnTheNewKey("after dropping the old key");
  });

  it("never prints either key", async () => {
    await cli.keepLogs(host.state);
    expect(cli.containing(OLD_KEY)).toEqual([]);
    expect(cli.containing(NEW_KEY)).toEqual([]);
  });
});
