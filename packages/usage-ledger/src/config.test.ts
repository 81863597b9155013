import { readFileSync } from "node:fs";
import { configJsonSchema } from "@cloudsigma/taas-core/config";
import { describe, expect, it } from "vitest";
import { CONFIG_SPEC, parseLedgerConfig } from "./config.ts";

const manifest = JSON.parse(
  readFileSync(new URL("../openclaw.plugin.json", import.meta.url), "utf8"),
);

describe("usage-ledger config", () => {
  it("the manifest declares exactly the schema the parser enforces", () => {
    expect(manifest.configSchema).toEqual(configJsonSchema(CONFIG_SPEC));
    expect(manifest.configSchema.additionalProperties).toBe(false);
  });

  it("declares its CLI root, its state for backups, and starts with the gateway", () => {
    expect(manifest.id).toBe("usage-ledger");
    expect(manifest.cliCommands).toEqual([
      expect.objectContaining({ name: "usage-ledger", hasSubcommands: true }),
    ]);
    expect(manifest.backupResources).toEqual([
      { disposition: "include", scope: "state", relativePath: "usage-ledger" },
    ]);
    expect(manifest.activation).toEqual({ onStartup: true });
  });

  it("fills defaults", () => {
    expect(parseLedgerConfig(undefined)).toEqual({
      enabled: true,
      dbPath: undefined,
      debug: false,
      retentionDays: 400,
      flushIntervalMs: 250,
      batchSize: 500,
      maxQueuedRows: 100_000,
      busyTimeoutMs: 25,
      cacheMinTokens: 1024,
      cacheStepTokens: 128,
      cacheTtlSeconds: 300,
      cacheGeometry: {},
      missLogTokens: 4096,
      keepWarmAdviceSeconds: 600,
    });
  });

  it("accepts the original usage-ledger extension's documented config as it is", () => {
    const gist = { enabled: true, dbPath: "/custom/path/usage-ledger.db", debug: true };
    expect(parseLedgerConfig(gist)).toMatchObject(gist);
  });

  it("names the bad key", () => {
    expect(() => parseLedgerConfig({ verbose: true })).toThrow(
      /usage-ledger: config key "verbose" is not a known setting/,
    );
    expect(() => parseLedgerConfig({ busyTimeoutMs: 5000 })).toThrow(
      /"busyTimeoutMs" must be between 0 and 1000/,
    );
    expect(() => parseLedgerConfig({ dbPath: 7 })).toThrow(/"dbPath" must be a string/);
  });
});
