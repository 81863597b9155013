import { readFileSync } from "node:fs";
import { configJsonSchema } from "@cloudsigma/taas-core/config";
import { describe, expect, it } from "vitest";
import { boundedLoadSettings, CONFIG_SPEC, parseOptimizerConfig } from "./config.ts";
import { installKeyPath } from "./install-key.ts";

const manifest = JSON.parse(
  readFileSync(new URL("../openclaw.plugin.json", import.meta.url), "utf8"),
);

describe("optimizer config", () => {
  it("the manifest declares exactly the schema the parser enforces", () => {
    expect(manifest.configSchema).toEqual(configJsonSchema(CONFIG_SPEC));
    expect(manifest.configSchema.additionalProperties).toBe(false);
  });

  it("defaults to both TaaS providers, workspace scope and bounded captures", () => {
    expect(parseOptimizerConfig(undefined)).toMatchObject({
      providers: ["cloudsigma", "cloudsigma-staging"],
      affinityScope: "workspace",
      debug: false,
      captureMaxSessions: 1000,
      captureMaxAgents: 256,
    });
    // Absent: TaaS decides.
    expect(parseOptimizerConfig(undefined).autorouterAlgorithm).toBeUndefined();
  });

  it("bounds a busy agent at OpenAI's ~15 requests a minute per key unless told otherwise", () => {
    expect(boundedLoadSettings(parseOptimizerConfig({ affinityScope: "bounded" }))).toEqual({
      requestsPerMinute: 15,
      maxShards: 8,
      idleMs: 600_000,
      maxBases: 256,
      maxConversations: 1000,
    });
    const tight = parseOptimizerConfig({ boundedLoad: { requestsPerMinute: 2, maxShards: 3 } });
    expect(boundedLoadSettings(tight)).toMatchObject({ requestsPerMinute: 2, maxShards: 3 });
  });

  it("names the bad key", () => {
    expect(() => parseOptimizerConfig({ providerIds: ["x"] })).toThrow(
      /openclaw-taas-affinity: config key "providerIds" is not a known setting/,
    );
    expect(() => parseOptimizerConfig({ affinityScope: "global" })).toThrow(
      /"affinityScope" must be one of "workspace", "session", "bounded"/,
    );
    expect(() => parseOptimizerConfig({ autorouterAlgorithm: "fastest" })).toThrow(
      /"autorouterAlgorithm" must be one of "best_fit", "price_performance", "savings_curve", "cost", "ttft", "tps", got "fastest"/,
    );
    expect(() => parseOptimizerConfig({ boundedLoad: { requestsPerMinute: 0 } })).toThrow(
      /"boundedLoad.requestsPerMinute" must be between 1 and 100000, got 0/,
    );
    expect(() => parseOptimizerConfig({ boundedLoad: { shards: 4 } })).toThrow(
      /"boundedLoad.shards" is not a known setting/,
    );
    expect(() => parseOptimizerConfig({ captureMaxSessions: 0 })).toThrow(
      /"captureMaxSessions" must be between 1 and 100000/,
    );
  });

  it("activates at startup and for both providers, and declares its database and id key for backups", () => {
    expect(manifest.activation).toEqual({
      onStartup: true,
      onProviders: ["cloudsigma", "cloudsigma-staging"],
    });
    expect(manifest.backupResources).toEqual([
      {
        disposition: "include",
        scope: "state",
        relativePath: "openclaw-taas-affinity/routes.sqlite",
      },
      {
        disposition: "include",
        scope: "state",
        relativePath: installKeyPath("").replace(/^\//, ""),
      },
    ]);
  });
});
