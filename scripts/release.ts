#!/usr/bin/env node
// Release gates for the plugin packages, offline, on the pinned tools.
//
//   node scripts/release.ts validate [--out DIR] [folder...]
//     npm pack --dry-run (its prepack builds dist/) holds exactly RELEASE_FILES, no package
//     declares a runtime dependency, each folder's package-lock.json is what npm writes for it,
//     and `clawhub package validate --runtime` passes with no issue against node_modules/openclaw.
//     Reports go to DIR, or to a temp dir that is removed when everything passed.
//   node scripts/release.ts pack [--out DIR] [folder...]
//     builds dist/, then `clawhub package pack` writes each plugin's ClawPack (.tgz) to DIR
//     (default artifacts/): the tarball ClawHub publishes and `openclaw plugins install` takes.
//   node scripts/release.ts locks [folder...]
//     rewrites each plugin folder's package-lock.json (after a version or metadata change).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  checkoutLock,
  clawPack,
  clawValidate,
  npmPackFiles,
  pluginPackages,
  RELEASE_FILES,
  ROOT,
  releaseFiles,
} from "./plugin-packages.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: "string" } },
});
const [command, ...only] = positionals;
const packages = pluginPackages(only);
if (packages.length === 0) throw new Error(`no plugin package matches ${only.join(", ")}`);

const failures: string[] = [];
const fail = (message: string) => {
  failures.push(message);
  console.error(`FAIL ${message}`);
};

/** Fields of package.json that would make an install fetch or link something. */
const DEPENDENCY_FIELDS = [
  "dependencies",
  "optionalDependencies",
  "bundleDependencies",
  "bundledDependencies",
];

async function packContents(): Promise<void> {
  const before = failures.length;
  const files = await npmPackFiles(packages);
  for (const pkg of packages) {
    const listed = files.get(pkg.folder) ?? [];
    const expected = releaseFiles(pkg.dir);
    if (JSON.stringify(listed) !== JSON.stringify(expected))
      fail(`${pkg.folder}: npm pack lists ${listed.join(", ")}; expected ${expected.join(", ")}`);
    const manifest = JSON.parse(readFileSync(join(pkg.dir, "package.json"), "utf8"));
    for (const field of DEPENDENCY_FIELDS) {
      if (manifest[field] && Object.keys(manifest[field]).length > 0)
        fail(`${pkg.folder}: package.json ${field} must be empty (core is bundled into dist/)`);
    }
    for (const field of ["peerDependencies", "devDependencies"]) {
      if (manifest[field]?.["@cloudsigma/taas-core"])
        fail(`${pkg.folder}: package.json ${field} names the workspace core (it is bundled)`);
    }
  }
  if (failures.length === before)
    console.log(
      `npm pack: ${packages.length} package(s) hold ${RELEASE_FILES.join(", ")} (and a Control UI entry where they have one)`,
    );
}

async function locks(write: boolean): Promise<void> {
  const before = failures.length;
  for (const pkg of packages) {
    const wanted = await checkoutLock(pkg);
    const path = join(pkg.dir, "package-lock.json");
    if (write) await writeFile(path, wanted);
    else if (readOr(path) !== wanted)
      fail(
        `${pkg.folder}: package-lock.json is not what npm writes for package.json (npm run locks)`,
      );
  }
  if (failures.length === before)
    console.log(
      `package-lock.json: ${write ? "written" : "current"} for ${packages.length} package(s)`,
    );
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

async function validate(outDir: string): Promise<void> {
  for (const pkg of packages) {
    const started = Date.now();
    const reports = join(outDir, pkg.folder);
    const { result, report } = await clawValidate(pkg, reports);
    const summary = report?.summary;
    const clean =
      result.code === 0 &&
      report?.status === "pass" &&
      summary?.issueCount === 0 &&
      summary.warningCount === 0 &&
      summary.deprecationWarningCount === 0;
    const line = `clawhub package validate ${pkg.folder}: ${report?.status ?? "no report"} ${JSON.stringify(summary ?? {})} in ${Date.now() - started} ms`;
    if (clean) console.log(line);
    else fail(`${line} (exit ${result.code}); reports: ${reports}\n${result.stderr.slice(-2000)}`);
  }
}

async function pack(outDir: string): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, "scripts", "build.ts"), ...only], {
    stdio: "inherit",
  });
  await mkdir(outDir, { recursive: true });
  for (const pkg of packages) {
    const packed = await clawPack(pkg, outDir);
    console.log(
      `${packed.path} (${packed.size} bytes, ${packed.files} files, sha256 ${packed.sha256})`,
    );
  }
}

switch (command) {
  case "validate": {
    const outDir = values.out
      ? resolve(values.out)
      : await mkdtemp(join(tmpdir(), "clawhub-reports-"));
    await packContents();
    await locks(false);
    await validate(outDir);
    if (failures.length === 0 && !values.out) await rm(outDir, { recursive: true, force: true });
    else console.log(`reports: ${outDir}`);
    break;
  }
  case "pack":
    await pack(resolve(values.out ?? join(ROOT, "artifacts")));
    break;
  case "locks":
    await locks(true);
    break;
  default:
    throw new Error(`usage: node scripts/release.ts validate|pack|locks [--out DIR] [folder...]`);
}
if (failures.length > 0) {
  console.error(`${failures.length} release check(s) failed`);
  process.exitCode = 1;
}
