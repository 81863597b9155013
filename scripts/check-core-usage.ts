#!/usr/bin/env node
// Core holds only what two or more packages use: this check fails when a module in
// packages/core/src is imported (directly, or through another core module it needs) by fewer
// than two other packages' non-test source, so a single-owner module cannot drift back in.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const packagesDir = join(root, "packages");
const coreDir = join(packagesDir, "core", "src");
const isSource = (name: string) =>
  name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.includes(".test-support.");

const coreModules = readdirSync(coreDir)
  .filter(isSource)
  .map((name) => name.slice(0, -3));

/** Core modules a file names: `@cloudsigma/taas-core/<m>` elsewhere, `./<m>.ts` inside core. */
function importedCoreModules(source: string, insideCore: boolean): string[] {
  const pattern = insideCore
    ? /from "\.\/([\w.-]+)\.ts"/g
    : /from "@cloudsigma\/taas-core\/([\w.-]+)"/g;
  return [...source.matchAll(pattern)].map((match) => match[1] ?? "");
}

// What each core module pulls in, so a package using call-tracker also uses its helpers.
const coreDeps = new Map<string, string[]>();
for (const name of coreModules) {
  const text = readFileSync(join(coreDir, `${name}.ts`), "utf8");
  coreDeps.set(name, importedCoreModules(text, true));
}
const closure = (start: string[]): Set<string> => {
  const seen = new Set<string>();
  const queue = [...start];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(coreDeps.get(next) ?? []));
  }
  return seen;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return isSource(entry.name) ? [path] : [];
  });
}

const users = new Map<string, Set<string>>(coreModules.map((name) => [name, new Set()]));
for (const pkg of readdirSync(packagesDir)) {
  if (pkg === "core") continue;
  let direct: string[] = [];
  try {
    direct = sourceFiles(join(packagesDir, pkg, "src")).flatMap((file) =>
      importedCoreModules(readFileSync(file, "utf8"), false),
    );
  } catch {
    continue; // a folder without src/ is not a package
  }
  for (const name of closure(direct)) users.get(name)?.add(pkg);
}

const lonely = [...users].filter(([, by]) => by.size < 2);
for (const [name, by] of lonely) {
  const who = by.size === 0 ? "no package" : `only ${[...by].join(", ")}`;
  console.error(`packages/core/src/${name}.ts is used by ${who}: move it to its owner`);
}
if (lonely.length > 0) process.exit(1);
console.log(`core: all ${coreModules.length} modules are used by two or more packages`);
