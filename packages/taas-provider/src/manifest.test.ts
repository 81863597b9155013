import { readFileSync } from "node:fs";
import { configJsonSchema } from "@cloudsigma/taas-core/config";
import { describe, expect, it } from "vitest";
import { CONFIG_SPEC } from "./config.ts";
import { AUTH, DEFAULT_BASE_URL, PLUGIN_ID, PROVIDER_ALIAS, PROVIDER_ID } from "./identity.ts";
import { PROBE_CLI_DESCRIPTOR } from "./probe/command.ts";

function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8"));
}

const manifest = readJson("../openclaw.plugin.json");
const packageJson = readJson("../package.json");

describe("openclaw.plugin.json", () => {
  it("names the plugin and the provider it owns, with the alias routed to the same auth", () => {
    expect(manifest).toMatchObject({
      id: PLUGIN_ID,
      providers: [PROVIDER_ID],
      providerAuthAliases: { [PROVIDER_ALIAS]: PROVIDER_ID },
      modelCatalog: { aliases: { [PROVIDER_ALIAS]: { provider: PROVIDER_ID } } },
      activation: { onProviders: [PROVIDER_ID, PROVIDER_ALIAS] },
    });
  });

  it("loads at gateway start, so the gateway's first turn on cloudsigma/auto sees its thinking default", () => {
    expect(manifest).toMatchObject({ activation: { onStartup: true } });
  });

  it("declares the env var and the api-key auth choice the runtime registers", () => {
    expect(manifest).toMatchObject({
      setup: { providers: [{ id: PROVIDER_ID, envVars: [AUTH.envVar] }] },
      providerAuthChoices: [
        {
          provider: PROVIDER_ID,
          method: AUTH.methodId,
          choiceId: AUTH.choiceId,
          choiceLabel: AUTH.choiceLabel,
          optionKey: AUTH.optionKey,
          cliFlag: AUTH.cliFlag,
          cliOption: `${AUTH.cliFlag} <key>`,
        },
      ],
    });
  });

  it("declares the production gateway as its catalog endpoint, the one the host asks live", () => {
    expect(manifest).toMatchObject({
      modelCatalog: { providers: { [PROVIDER_ID]: { baseUrl: DEFAULT_BASE_URL } } },
    });
  });

  it("declares exactly the config the plugin parses", () => {
    expect(manifest).toMatchObject({ configSchema: configJsonSchema(CONFIG_SPEC) });
  });

  it("declares no tools, services, routes or skills", () => {
    for (const key of ["contracts", "skills", "channels", "mcpServers"]) {
      expect(manifest).not.toHaveProperty(key);
    }
  });

  it("declares the root command its CLI registers, as registered", () => {
    expect(manifest).toMatchObject({ cliCommands: [PROBE_CLI_DESCRIPTOR] });
  });
});

describe("package.json", () => {
  it("points the host at the built entry and pins the host contract", () => {
    expect(packageJson).toMatchObject({
      name: "@cloudsigma/openclaw-taas-provider",
      type: "module",
      files: expect.arrayContaining(["dist", "openclaw.plugin.json", "README.md"]),
      openclaw: {
        extensions: ["./dist/index.js"],
        providers: [PROVIDER_ID],
        compat: { pluginApi: expect.any(String), minGatewayVersion: expect.any(String) },
        build: { openclawVersion: expect.any(String), pluginSdkVersion: expect.any(String) },
      },
    });
  });

  it("has no runtime dependencies (the shared core is bundled into dist)", () => {
    expect(packageJson).not.toHaveProperty("dependencies");
  });
});
