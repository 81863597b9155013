#!/usr/bin/env node
// Writes each plugin's manifest configSchema from its config field table (src/config.ts,
// export CONFIG_SPEC), so the schema the host validates and the parser the plugin runs are
// one declaration. Each plugin's config test fails when the two drift.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ConfigSpec, configJsonSchema } from "@cloudsigma/taas-core/config";

const root = fileURLToPath(new URL("..", import.meta.url));
for (const entry of readdirSync(join(root, "packages"), { withFileTypes: true })) {
  const dir = join(root, "packages", entry.name);
  const manifestPath = join(dir, "openclaw.plugin.json");
  const configPath = join(dir, "src", "config.ts");
  if (!entry.isDirectory() || !existsSync(manifestPath) || !existsSync(configPath)) continue;
  const module = (await import(pathToFileURL(configPath).href)) as { CONFIG_SPEC?: ConfigSpec };
  if (!module.CONFIG_SPEC) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, unknown>;
  manifest.configSchema = configJsonSchema(module.CONFIG_SPEC);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`configSchema written: ${entry.name}`);
}
