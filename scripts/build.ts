#!/usr/bin/env node
// Builds every plugin package (a folder under packages/ with openclaw.plugin.json) into
// dist/index.js: one ESM file with the shared core bundled in, so an installed plugin needs
// nothing but node:* and the host. rolldown does the bundling (it is already in the tree
// through vite; a hand-written bundler would be a poorer page of code).
// A plugin with a Control UI page (src/control-ui/index.ts) also gets its browser entry,
// dist/control-ui/index.js with everything it imports bundled in (the host loads it as one
// module from the gateway's origin), and dist/control-ui/index.css.
// `node scripts/build.ts <folder>...` builds only those (each plugin's `prepack` does this).
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build, type InputOptions } from "rolldown";
import { controlUiSource, pluginPackages, ROOT } from "./plugin-packages.ts";

const plugins = pluginPackages(process.argv.slice(2));

/**
 * An import the bundler cannot resolve would stay an import in dist/ and break the installed
 * plugin (it ships no node_modules): fail the build instead of warning.
 */
const failOnUnresolved: NonNullable<InputOptions["onLog"]> = (level, log, next) => {
  if (log.code === "UNRESOLVED_IMPORT") throw new Error(`build: ${log.message}`);
  next(level, log);
};

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
    onLog: failOnUnresolved,
  });
  const browserEntry = controlUiSource(dir);
  if (existsSync(browserEntry)) await buildControlUi(dir, browserEntry);
}
console.log(`built ${plugins.length} plugin(s) in ${Date.now() - started} ms`);

/** The browser entry and its stylesheet: the chart library's CSS, then the page's own. */
async function buildControlUi(dir: string, entry: string): Promise<void> {
  const out = join(dir, "dist", "control-ui");
  await build({
    input: entry,
    platform: "browser",
    cwd: ROOT,
    output: { file: join(out, "index.js"), format: "esm", sourcemap: false, minify: true },
    logLevel: "warn",
    onLog: failOnUnresolved,
  });
  const css = await Promise.all([
    readFile(join(ROOT, "node_modules", "uplot", "dist", "uPlot.min.css"), "utf8"),
    readFile(join(dir, "src", "control-ui", "page.css"), "utf8"),
  ]);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, "index.css"), `${css.join("\n")}\n`);
}
