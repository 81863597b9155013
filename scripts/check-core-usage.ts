#!/usr/bin/env node
// Core holds only what two or more packages use: this check fails when a module under
// packages/core/src (its subfolders included) is imported (directly, or through another core module it needs) by fewer
// than two other packages' non-test source, so a single-owner module cannot drift back in.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const packagesDir = join(root, "packages");
const coreDir = join(packagesDir, "core", "src");
const isSource = (name: string) =>
  name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.includes(".test-support.");

/** `usage/call-tracker` for packages/core/src/usage/call-tracker.ts. */
const moduleId = (path: string) => relative(coreDir, path).slice(0, -3);

/** Core modules a file names: `@cloudsigma/taas-core/<m>` elsewhere, relative inside core. */
function importedCoreModules(source: string, file: string): string[] {
  return [...source.matchAll(/from "([^"]+)"/g)].flatMap(([, specifier = ""]) => {
    const outside = /^@cloudsigma\/taas-core\/(.+)$/.exec(specifier)?.[1];
    if (outside !== undefined) return [outside];
    const target = resolve(dirname(file), specifier);
    return specifier.startsWith(".") && target.startsWith(coreDir) ? [moduleId(target)] : [];
  });
}

const coreModules = sourceFiles(coreDir).map(moduleId);

// What each core module pulls in, so a package using call-tracker also uses its helpers.
const coreDeps = new Map<string, string[]>();
for (const name of coreModules) {
  const file = join(coreDir, `${name}.ts`);
  coreDeps.set(name, importedCoreModules(readFileSync(file, "utf8"), file));
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
      importedCoreModules(readFileSync(file, "utf8"), file),
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
