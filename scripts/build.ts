#!/usr/bin/env node
// Builds every plugin package (a folder under packages/ with openclaw.plugin.json) into
// dist/index.js: one ESM file with the shared core bundled in, so an installed plugin needs
// nothing but node:* and the host. rolldown does the bundling (it is already in the tree
// through vite; a hand-written bundler would be a poorer page of code).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = fileURLToPath(new URL("..", import.meta.url));
const only = process.argv.slice(2);

const plugins = readdirSync(join(root, "packages"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join(root, "packages", entry.name))
  .filter(
    (dir) =>
      existsSync(join(dir, "openclaw.plugin.json")) && existsSync(join(dir, "src", "index.ts")),
  )
  .filter((dir) => only.length === 0 || only.some((name) => dir.endsWith(`/${name}`)));

const started = Date.now();
for (const dir of plugins) {
  await build({
    input: join(dir, "src", "index.ts"),
    platform: "node",
    // The host provides its SDK; node built-ins stay imports.
    external: [/^openclaw(\/|$)/, /^node:/],
    output: { file: join(dir, "dist", "index.js"), format: "esm", sourcemap: false },
    logLevel: "warn",
  });
}
console.log(`built ${plugins.length} plugin(s) in ${Date.now() - started} ms`);
