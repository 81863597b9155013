import { readFileSync } from "node:fs";
import { configJsonSchema } from "@cloudsigma/taas-core/config";
import { describe, expect, it } from "vitest";
import { CONFIG_SPEC, parseAuditConfig } from "./config.ts";

const manifest = JSON.parse(
  readFileSync(new URL("../openclaw.plugin.json", import.meta.url), "utf8"),
);

describe("token-audit config", () => {
  it("the manifest declares exactly the schema the parser enforces", () => {
    expect(manifest.configSchema).toEqual(configJsonSchema(CONFIG_SPEC));
    expect(manifest.configSchema.additionalProperties).toBe(false);
  });

  it("declares its files for backups", () => {
    expect(manifest.id).toBe("token-audit");
    expect(manifest.backupResources).toEqual([
      { disposition: "include", scope: "state", relativePath: "token-audit" },
    ]);
  });

  it("defaults to a 100,000-character alert and no previews", () => {
    expect(parseAuditConfig({})).toEqual({
      enabled: true,
      file: undefined,
      maxFileBytes: 10_485_760,
      maxFiles: 5,
      largePromptChars: 100_000,
      dumpFile: undefined,
      dumpMaxItems: 10,
      dumpPreviews: false,
      previewChars: 160,
    });
  });

  it("names the bad key", () => {
    expect(() => parseAuditConfig({ threshold: 5 })).toThrow(
      /token-audit: config key "threshold" is not a known setting/,
    );
    expect(() => parseAuditConfig({ maxFiles: 0 })).toThrow(/"maxFiles" must be between 1 and 100/);
  });
});
