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
    [{ missedResponseTtlMs: 1.5 }, /"missedResponseTtlMs" must be an integer/],
    [{ protectedTo: "+15550102000" }, /"protectedTo" must be a list of strings/],
    [
      { triggerRegex: "(" },
      /"triggerRegex" is not a valid regular expression: Unterminated group \(pattern "\("\)$/,
    ],
  ])("rejects %j with a message naming the key", (raw, message) => {
    expect(() => parseGateSettings(raw)).toThrow(message);
  });

  it("quotes at most 100 characters of a trigger that does not compile", () => {
    const source = `(${"a".repeat(400)}`;
    expect(() => parseGateSettings({ triggerRegex: source })).toThrow(
      `is not a valid regular expression: Unterminated group (pattern "(${"a".repeat(99)}…")`,
    );
  });

  it.each([
    ["^\\s*bot\\:\\s*", "Bot: lights on"],
    ["^\\s*friday:\\s*", "FRIDAY: lights on"],
    ["^(?:hey )?jarvis[,:]\\s*", "hey Jarvis, lights on"],
    ["^\\s*\\u00e9t\\u00e9:", "ÉTÉ: lights on"],
  ])("compiles the trigger %j as a case-insensitive JavaScript RegExp", (source, text) => {
    expect(parseGateSettings({ triggerRegex: source }).trigger.test(text)).toBe(true);
  });

  it.each([
    ["armTtlMs", 5_000, 15_000, "5000 is outside 15000-86400000; using 15000"],
    ["armTtlMs", -1, 15_000, "-1 is outside 15000-86400000; using 15000"],
    ["armTtlMs", 172_800_000, 86_400_000, "172800000 is outside 15000-86400000; using 86400000"],
    ["maxUsesPerArm", 0, 1, "0 is outside 1-100; using 1"],
    ["maxUsesPerArm", 1_000, 100, "1000 is outside 1-100; using 100"],
    ["missedResponseTtlMs", 1_000, 30_000, "1000 is outside 30000-604800000; using 30000"],
  ])("clamps %s %d to %d with a warning naming the key", (key, value, expected, warning) => {
    const warnings: string[] = [];
    const settings = parseGateSettings({ [key]: value }, (line) => warnings.push(line));
    expect(settings[key as "armTtlMs"]).toBe(expected);
    expect(warnings).toEqual([
      `[message-gate] plugins.entries.message-gate.config.${key} ${warning}`,
    ]);
  });

  it("accepts in the manifest every integer it clamps (the host refuses a config the schema rejects)", () => {
    for (const key of ["armTtlMs", "maxUsesPerArm", "missedResponseTtlMs"]) {
      expect(manifest.configSchema.properties[key]).toMatchObject({
        type: "integer",
        minimum: Number.MIN_SAFE_INTEGER,
        maximum: Number.MAX_SAFE_INTEGER,
      });
    }
  });

  it("compares protected peers in the host's canonical form (lower case, clean digits)", () => {
    const settings = parseGateSettings({
      protectedTo: ["Agent:Main:Gated", "\u200e+1 555 010 2000\u200f", "＋１５５５０１０９０００"],
      allowedFrom: ["\u202a+٩٧١٥٥٥٠١٠٣٠٠\u202c"],
    });
    expect(settings.protectedTo).toEqual(
      new Set(["agent:main:gated", "+15550102000", "+15550109000"]),
    );
    expect(settings.allowedFrom).toEqual(new Set(["+971555010300"]));
  });

  it("names, boundedly, every id list entry that can never match", () => {
    const warnings: string[] = [];
    const settings = parseGateSettings(
      {
        protectedTo: ["+15550102000", "\u200b\u200b", "Mom's phone"],
        allowedFrom: [" ", "a b", "c d", "e f", "g h"],
      },
      (line) => warnings.push(line),
    );
    expect(settings.protectedTo).toEqual(new Set(["+15550102000", "mom's phone"]));
    const key = "[message-gate] plugins.entries.message-gate.config";
    const empty = "can never match: it is empty once invisible characters and spaces are removed";
    const spaced =
      "can never match: it has spaces or control characters but is not a phone number of 7 to 15 digits";
    expect(warnings).toEqual([
      `${key}.protectedTo entry "\u200b\u200b" ${empty}`,
      `${key}.protectedTo entry "Mom's phone" ${spaced}`,
      `${key}.allowedFrom entry " " ${empty}`,
      `${key}.allowedFrom entry "a b" ${spaced}`,
      `${key}.allowedFrom entry "c d" ${spaced}`,
      "[message-gate] 2 more id list entries can never match",
    ]);
  });

  it("declares its ledger for backups and starts with the gateway", () => {
    expect(manifest.backupResources).toEqual([
      { disposition: "include", scope: "state", relativePath: "message-gate/gate.sqlite" },
    ]);
    expect(manifest.activation).toEqual({ onStartup: true });
  });
});
