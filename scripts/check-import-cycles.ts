#!/usr/bin/env node
// No import cycles inside a package's source: a cycle means two modules are one concern split
// in two (or a layer reaching back up), and it makes module evaluation order matter. Fails,
// naming each cycle, when a non-test module reaches itself through relative imports.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const isSource = (name: string) =>
  name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.includes(".test-support.");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return isSource(entry.name) ? [path] : [];
  });
}

const cycles: string[] = [];
for (const pkg of readdirSync(join(root, "packages"))) {
  const src = join(root, "packages", pkg, "src");
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    const imports = [
      ...readFileSync(file, "utf8").matchAll(/(?:from |import )"(\.{1,2}\/[^"]+\.ts)"/g),
    ];
    graph.set(
      file,
      imports.map((m) => resolve(dirname(file), m[1] ?? "")).filter((d) => d.startsWith(src)),
    );
  }
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") {
        const loop = [...stack.slice(stack.indexOf(next)), next];
        cycles.push(loop.map((f) => relative(root, f)).join(" -> "));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
}
if (cycles.length > 0) {
  for (const cycle of cycles) console.error(`import cycle: ${cycle}`);
  process.exit(1);
}
console.log("imports: no cycles in any package");
