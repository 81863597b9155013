import { readFileSync } from "node:fs";
import { configJsonSchema } from "@cloudsigma/taas-core/config";
import { describe, expect, it } from "vitest";
import { CONFIG_SPEC, parseGateSettings } from "./config.ts";

const manifest = JSON.parse(
  readFileSync(new URL("../openclaw.plugin.json", import.meta.url), "utf8"),
);

// A config written for lorene-gate, keys and value shapes as its operators wrote them (phone
// numbers replaced by reserved fictional ones): it must carry over unchanged.
const LORENE_GATE_CONFIG = {
  enabled: true,
  channel: "whatsapp",
  protectedTo: ["+1 (555) 010-2000"],
  allowedFrom: ["+15550103000", "+15550104000"],
  triggerRegex: "^\\s*friday:\\s*",
  armTtlMs: 120000,
  maxUsesPerArm: 3,
  requireBodyAfterTrigger: true,
  dbPath: "/tmp/lorene-gate.db",
  wrapperTargets: ["+15550102000"],
  wrapperPrefix: "↓↓↓ F.R.I.D.A.Y. ↓↓↓",
  wrapperSuffix: "↑↑↑ F.R.I.D.A.Y. ↑↑↑",
  missedResponseTtlMs: 600000,
  debug: false,
};

describe("message-gate config", () => {
  it("the manifest declares exactly the schema the parser enforces", () => {
    expect(manifest.configSchema).toEqual(configJsonSchema(CONFIG_SPEC));
    expect(manifest.configSchema.additionalProperties).toBe(false);
  });

  it("accepts every key of a lorene-gate config, as written there", () => {
    expect(Object.keys(manifest.configSchema.properties).sort()).toEqual(
      Object.keys(LORENE_GATE_CONFIG).sort(),
    );
    const settings = parseGateSettings(LORENE_GATE_CONFIG);
    expect(settings.protectedTo).toEqual(new Set(["+15550102000"]));
    expect(settings.allowedFrom).toEqual(new Set(["+15550103000", "+15550104000"]));
    expect(settings.trigger.test("FRIDAY: lights on")).toBe(true);
    expect(settings.dbPath).toBe("/tmp/lorene-gate.db");
  });

  it("defaults protect nobody, let nobody arm and carry no personal data", () => {
    const settings = parseGateSettings(undefined);
    expect(settings).toMatchObject({
      enabled: true,
      channel: "whatsapp",
      armTtlMs: 120_000,
      maxUsesPerArm: 3,
      requireBodyAfterTrigger: true,
      missedResponseTtlMs: 600_000,
      debug: false,
      dbPath: undefined,
    });
    expect(
      settings.protectedTo.size + settings.allowedFrom.size + settings.wrapperTargets.size,
    ).toBe(0);
    const defaultStrings = Object.values(CONFIG_SPEC).flatMap((field) =>
      "default" in field ? [field.default].flat().map(String) : [],
    );
    expect(defaultStrings.filter((value) => /\d{7,}/.test(value.replace(/\D+/g, "")))).toEqual([]);
  });

  it.each([
    [{ lorene: true }, /message-gate: config key "lorene" is not a known setting/],
    [{ armTtlMs: 5_000 }, /"armTtlMs" must be between 15000 and 86400000/],
    [{ maxUsesPerArm: 0 }, /"maxUsesPerArm" must be between 1 and 100/],
    [{ missedResponseTtlMs: 1.5 }, /"missedResponseTtlMs" must be an integer/],
    [{ protectedTo: "+15550102000" }, /"protectedTo" must be a list of strings/],
    [{ triggerRegex: "(" }, /"triggerRegex" is not a valid regular expression/],
  ])("rejects %j with a message naming the key", (raw, message) => {
    expect(() => parseGateSettings(raw)).toThrow(message);
  });

  it("declares its ledger for backups and starts with the gateway", () => {
    expect(manifest.backupResources).toEqual([
      { disposition: "include", scope: "state", relativePath: "message-gate/gate.sqlite" },
    ]);
    expect(manifest.activation).toEqual({ onStartup: true });
  });
});
