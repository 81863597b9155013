#!/usr/bin/env node
// npm run bench: runs every bench/*.bench.ts (each exports run()) in this one process, so the
// numbers inside each benchmark are measured side by side under the same conditions.
// Name benchmarks on the command line to run only those: npm run bench -- optimizer
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => only.length === 0 || only.some((o) => name.includes(o)))
  .sort();
for (const file of files) {
  console.log(`\n=== ${file}`);
  const module = (await import(pathToFileURL(`${dir}${file}`).href)) as {
    run?: () => Promise<void>;
  };
  if (typeof module.run !== "function") throw new Error(`${file} does not export run()`);
  await module.run();
}
