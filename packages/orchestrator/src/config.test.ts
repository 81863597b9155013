import { readFileSync } from "node:fs";
import { configJsonSchema } from "@cloudsigma/taas-core/config";
import { describe, expect, it } from "vitest";
import { CONFIG_SPEC, parseOrchestratorSettings, SESSION_TOOLS } from "./config.ts";

const manifest = JSON.parse(
  readFileSync(new URL("../openclaw.plugin.json", import.meta.url), "utf8"),
);

describe("orchestrator config", () => {
  it("the manifest declares exactly the schema the parser enforces", () => {
    expect(manifest.configSchema).toEqual(configJsonSchema(CONFIG_SPEC));
    expect(manifest.configSchema.additionalProperties).toBe(false);
  });

  it("has the documented keys and defaults", () => {
    expect(Object.keys(CONFIG_SPEC)).toEqual([
      "injectOrchestratorPrompt",
      "enforceMainDelegation",
      "autoRetryFailedSubagents",
      "maxRetriesPerTask",
      "retryOutcomes",
      "allowedMainTools",
      "allowedOrchestratorTools",
      "orchestratorLabelPrefix",
      "stateTtlMs",
    ]);
    const settings = parseOrchestratorSettings(undefined);
    expect(settings).toMatchObject({
      injectOrchestratorPrompt: true,
      enforceMainDelegation: false,
      autoRetryFailedSubagents: true,
      maxRetriesPerTask: 2,
      orchestratorLabelPrefix: "thread-orchestrator",
      stateTtlMs: 86_400_000,
      directToolAdditions: [],
    });
    expect([...settings.retryOutcomes]).toEqual(["error", "timeout"]);
    expect([...settings.allowedMainTools]).toEqual([...SESSION_TOOLS]);
    expect([...settings.allowedOrchestratorTools]).toEqual([...SESSION_TOOLS]);
  });

  it("adds configured tools to the session tools and names the direct ones", () => {
    const settings = parseOrchestratorSettings({
      allowedMainTools: ["sessions_yield"],
      allowedOrchestratorTools: ["read", "sessions_send"],
      orchestratorLabelPrefix: "My Team Lead!",
    });
    expect(settings.allowedMainTools.has("sessions_yield")).toBe(true);
    expect(settings.allowedMainTools.has("read")).toBe(false);
    expect(settings.allowedOrchestratorTools.has("read")).toBe(true);
    expect(settings.directToolAdditions).toEqual(["sessions_yield", "read"]);
    expect(settings.orchestratorLabelPrefix).toBe("my-team-lead");
  });

  it.each([
    [
      { maxRetries: 3 },
      /orchestrator: config key "maxRetries" is not a known setting \(known: injectOrchestratorPrompt/,
    ],
    [{ maxRetriesPerTask: 0 }, /"maxRetriesPerTask" must be between 1 and 5, got 0/],
    [{ maxRetriesPerTask: 6 }, /"maxRetriesPerTask" must be between 1 and 5, got 6/],
    [
      { retryOutcomes: ["error", "crashed"] },
      /"retryOutcomes" has "crashed"; allowed: "error", "timeout", "killed", "reset", "deleted"/,
    ],
    [{ retryOutcomes: [] }, /"retryOutcomes" needs at least 1 item/],
    [{ enforceMainDelegation: "yes" }, /"enforceMainDelegation" must be true or false/],
    [{ orchestratorLabelPrefix: "!!!" }, /"orchestratorLabelPrefix" needs at least one letter/],
    [{ stateTtlMs: 1_000 }, /"stateTtlMs" must be between 60000 and 2592000000, got 1000/],
  ])("rejects %j with a message naming the key", (raw, message) => {
    expect(() => parseOrchestratorSettings(raw)).toThrow(message);
  });

  it("declares its state for backups and starts with the gateway", () => {
    expect(manifest.backupResources).toEqual([
      { disposition: "include", scope: "state", relativePath: "orchestrator/orchestrator.sqlite" },
    ]);
    expect(manifest.activation).toEqual({ onStartup: true });
  });
});
