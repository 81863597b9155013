#!/usr/bin/env node
// Builds every plugin package (a folder under packages/ with openclaw.plugin.json) into
// dist/index.js: one ESM file with the shared core bundled in, so an installed plugin needs
// nothing but node:* and the host. rolldown does the bundling (it is already in the tree
// through vite; a hand-written bundler would be a poorer page of code).
// `node scripts/build.ts <folder>...` builds only those (each plugin's `prepack` does this).
import { join } from "node:path";
import { build } from "rolldown";
import { pluginPackages, ROOT } from "./plugin-packages.ts";

const plugins = pluginPackages(process.argv.slice(2));

const started = Date.now();
for (const { dir } of plugins) {
  await build({
    input: join(dir, "src", "index.ts"),
    platform: "node",
    // Module comments name paths relative to cwd: the root, so `npm pack` (run in the package
    // folder) and `npm run build` write the same bytes.
    cwd: ROOT,
    // The host provides its SDK; node built-ins stay imports.
    external: [/^openclaw(\/|$)/, /^node:/],
    output: { file: join(dir, "dist", "index.js"), format: "esm", sourcemap: false },
    logLevel: "warn",
  });
}
console.log(`built ${plugins.length} plugin(s) in ${Date.now() - started} ms`);
