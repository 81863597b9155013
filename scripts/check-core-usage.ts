#!/usr/bin/env node
// Core holds only what two or more packages use, and exports only what others import. This
// check fails when a module under packages/core/src (its subfolders included) is imported
// (directly, or through another core module it needs) by fewer than two other packages'
// non-test source, or when a core module exports a name no other file imports, so neither a
// single-owner module nor a private helper posing as shared API can drift back in.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const packagesDir = join(root, "packages");
const coreDir = join(packagesDir, "core", "src");
const isTest = (name: string) => name.endsWith(".test.ts") || name.includes(".test-support.");
const isSource = (name: string) => name.endsWith(".ts") && !isTest(name);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === "node_modules" || entry.name === "dist" ? [] : tsFiles(path);
    }
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** `usage/call-tracker` for packages/core/src/usage/call-tracker.ts. */
const moduleId = (path: string) => relative(coreDir, path).slice(0, -3);
const coreModules = tsFiles(coreDir)
  .filter((path) => isSource(path))
  .map(moduleId);

interface ImportClause {
  module: string;
  /** The names imported, or "*" for a namespace import or a re-export of everything. */
  names: string[] | "*";
}

const IMPORT = /(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s+"([^"]+)"/g;

/** Core modules a file imports from, and which of their names. */
function coreImports(path: string, source: string): ImportClause[] {
  const clauses: ImportClause[] = [];
  for (const [, , what = "", specifier = ""] of source.matchAll(IMPORT)) {
    const module = coreModuleOf(path, specifier);
    if (module === undefined) continue;
    const braces = /\{([^}]*)\}/.exec(what);
    const names = braces?.[1]
      ? braces[1]
          .split(",")
          .map(
            (part) =>
              part
                .trim()
                .replace(/^type\s+/, "")
                .split(/\s+as\s+/)[0] ?? "",
          )
          .filter((name) => name !== "")
      : "*";
    clauses.push({ module, names });
  }
  return clauses;
}

function coreModuleOf(path: string, specifier: string): string | undefined {
  const outside = /^@cloudsigma\/taas-core\/(.+)$/.exec(specifier)?.[1];
  if (outside !== undefined) return outside;
  if (!specifier.startsWith(".")) return undefined;
  const target = resolve(dirname(path), specifier);
  return target.startsWith(coreDir) && target.endsWith(".ts") ? moduleId(target) : undefined;
}

const files = ["packages", "bench", "e2e", "scripts", "test-support"].flatMap((dir) =>
  tsFiles(join(root, dir)),
);
const importsOf = new Map(
  files.map((path) => [path, coreImports(path, readFileSync(path, "utf8"))]),
);

// What each core module pulls in, so a package using call-tracker also uses its helpers.
const coreDeps = new Map(
  coreModules.map((name) => {
    const clauses = importsOf.get(join(coreDir, `${name}.ts`)) ?? [];
    return [name, clauses.map((clause) => clause.module)];
  }),
);
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

const problems: string[] = [];

// Rule 1: each core module is used by two or more packages' non-test source.
const users = new Map<string, Set<string>>(coreModules.map((name) => [name, new Set()]));
for (const pkg of readdirSync(packagesDir)) {
  if (pkg === "core") continue;
  const direct = files
    .filter((path) => path.startsWith(join(packagesDir, pkg, "src")) && isSource(path))
    .flatMap((path) => (importsOf.get(path) ?? []).map((clause) => clause.module));
  for (const name of closure(direct)) users.get(name)?.add(pkg);
}
for (const [name, by] of users) {
  if (by.size >= 2) continue;
  const who = by.size === 0 ? "no package" : `only ${[...by].join(", ")}`;
  problems.push(`packages/core/src/${name}.ts is used by ${who}: move it to its owner`);
}

// Rule 2: every name a core module exports is imported by some other file. Tests count: a
// test-support module or another package's test may need a name the module's own test does
// not (a module's own test reaches its internals through what the module's users see).
const EXPORT =
  /^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+(\w+)/gm;
const imported = new Map<string, Set<string> | "*">();
for (const [path, clauses] of importsOf) {
  for (const { module, names } of clauses) {
    if (path === join(coreDir, `${module}.ts`) || isOwnTest(path, module)) continue;
    const seen = imported.get(module) ?? new Set<string>();
    if (seen === "*" || names === "*") imported.set(module, "*");
    else imported.set(module, new Set([...seen, ...names]));
  }
}
function isOwnTest(path: string, module: string): boolean {
  const own = join(coreDir, module);
  return path.startsWith(`${own}.`) && path.endsWith(".test.ts");
}
for (const name of coreModules) {
  const seen = imported.get(name);
  if (seen === "*") continue;
  const source = readFileSync(join(coreDir, `${name}.ts`), "utf8");
  for (const [, exported = ""] of source.matchAll(EXPORT)) {
    if (seen?.has(exported)) continue;
    problems.push(
      `packages/core/src/${name}.ts exports ${exported}, which no other file imports: un-export it`,
    );
  }
}

for (const problem of problems) console.error(problem);
if (problems.length > 0) process.exit(1);
console.log(
  `core: all ${coreModules.length} modules are used by two or more packages, every export imported`,
);
