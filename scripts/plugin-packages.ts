// The plugin packages of this repository (each folder under packages/ with openclaw.plugin.json
// and src/index.ts) and the release steps run on them: npm's pack list, the checkout lockfile,
// and the pinned ClawHub CLI's `package pack` and `package validate`. Used by build.ts,
// release.ts, smoke.ts and the release e2e test, so they all mean the same packages.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
/** The pinned ClawHub CLI (devDependency `clawhub`) and the pinned host it validates against. */
export const CLAWHUB_ENTRY = join(ROOT, "node_modules", "clawhub", "bin", "clawdhub.js");
export const OPENCLAW_DIR = join(ROOT, "node_modules", "openclaw");

/** What a plugin's tarball holds, no more and no less (npm adds package.json and LICENSE). */
export const RELEASE_FILES = [
  "LICENSE",
  "README.md",
  "dist/index.js",
  "openclaw.plugin.json",
  "package.json",
];

/** A plugin's Control UI browser source, when it contributes a page. */
export const controlUiSource = (dir: string): string => join(dir, "src", "control-ui", "index.ts");

/** The release files of one plugin: RELEASE_FILES, plus its built browser entry if it has one. */
export function releaseFiles(dir: string): string[] {
  if (!existsSync(controlUiSource(dir))) return RELEASE_FILES;
  return [...RELEASE_FILES, "dist/control-ui/index.css", "dist/control-ui/index.js"].sort();
}

export interface PluginPackage {
  /** Folder name under packages/ (what `node scripts/build.ts <folder>` takes). */
  folder: string;
  dir: string;
  /** The manifest id: the config key and the installed folder's name. */
  id: string;
  packageName: string;
  version: string;
}

/** Every plugin package, or those whose folder name is in `only` (all when it is empty). */
export function pluginPackages(only: readonly string[] = []): PluginPackage[] {
  return readdirSync(join(ROOT, "packages"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ folder: entry.name, dir: join(ROOT, "packages", entry.name) }))
    .filter(
      ({ dir }) =>
        existsSync(join(dir, "openclaw.plugin.json")) && existsSync(join(dir, "src", "index.ts")),
    )
    .filter(({ folder }) => only.length === 0 || only.includes(folder))
    .map(({ folder, dir }) => {
      const manifest = readJson(join(dir, "openclaw.plugin.json"));
      const pkg = readJson(join(dir, "package.json"));
      return {
        folder,
        dir,
        id: String(manifest.id),
        packageName: String(pkg.name),
        version: String(pkg.version),
      };
    });
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (never throws for a non-zero exit: the caller reads `code`). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? ROOT,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * npm as this process found it: under `npm run` the CLI that runs us (npm_execpath) on this
 * Node, else the `npm` on PATH.
 */
export function npm(
  args: readonly string[],
  options: Parameters<typeof run>[2] = {},
): Promise<RunResult> {
  const cli = process.env.npm_execpath;
  return cli?.endsWith(".js")
    ? run(process.execPath, [cli, ...args], options)
    : run("npm", args, options);
}

/** The JSON document a `--json` command printed last: from the first line that opens one. */
function jsonTail(stdout: string, opener: "[" | "{"): string {
  const start = stdout.search(opener === "[" ? /^\[/m : /^\{/m);
  return start < 0 ? stdout : stdout.slice(start);
}

/** Throws with the command's output unless it exited 0. */
export function check(result: RunResult, label: string): RunResult {
  if (result.code !== 0)
    throw new Error(
      `${label} failed (exit ${result.code})\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`,
    );
  return result;
}

/**
 * The files `npm pack` puts in each package's tarball, keyed by folder. Runs the packages'
 * `prepack` (which builds dist/); writes no tarball.
 */
export async function npmPackFiles(
  packages: readonly PluginPackage[],
): Promise<Map<string, string[]>> {
  const args = ["pack", "--dry-run", "--json", ...packages.map((p) => `--workspace=${p.dir}`)];
  const result = check(await npm(args), "npm pack --dry-run");
  // The prepack scripts print to the same stdout, before npm's JSON.
  const rows = JSON.parse(jsonTail(result.stdout, "[")) as Array<{
    name: string;
    files: Array<{ path: string }>;
  }>;
  const byName = new Map(rows.map((row) => [row.name, row.files.map((f) => f.path).sort()]));
  return new Map(packages.map((p) => [p.folder, byName.get(p.packageName) ?? []]));
}

/**
 * Children of the ClawHub CLI get their own HOME, TMPDIR and OPENCLAW_STATE_DIR under `scratch`:
 * validation imports plugin code, and nothing of it may reach the operator's ~/.openclaw.
 */
async function clawhub(args: readonly string[], scratch: string): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (/^(OPENCLAW_|VITEST)/.test(key)) delete env[key];
  Object.assign(env, {
    HOME: join(scratch, "home"),
    TMPDIR: join(scratch, "tmp"),
    OPENCLAW_STATE_DIR: join(scratch, "state"),
    NO_COLOR: "1",
  });
  await Promise.all(
    ["home", "tmp", "state"].map((d) => mkdir(join(scratch, d), { recursive: true })),
  );
  return run(process.execPath, [CLAWHUB_ENTRY, ...args], { env, timeoutMs: 180_000 });
}

export interface ClawPack {
  path: string;
  name: string;
  version: string;
  size: number;
  files: number;
  sha256: string;
}

/**
 * `clawhub package pack`: the ClawPack that `clawhub package publish` uploads for a folder
 * (npm pack with --ignore-scripts, then ClawHub's content checks). dist/ must be built first.
 */
export async function clawPack(pkg: PluginPackage, outDir: string): Promise<ClawPack> {
  const scratch = await mkdtemp(join(tmpdir(), "clawhub-pack-"));
  try {
    const result = await clawhub(
      ["package", "pack", pkg.dir, "--pack-destination", outDir, "--json"],
      scratch,
    );
    return JSON.parse(check(result, `clawhub package pack ${pkg.folder}`).stdout) as ClawPack;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface ValidateReport {
  status: string;
  summary: {
    breakageCount: number;
    warningCount: number;
    deprecationWarningCount: number;
    issueCount: number;
  };
  issues: unknown[];
}

/**
 * `clawhub package validate` against the pinned host, with runtime capture, offline; the
 * Plugin Inspector reports go to `outDir`, never into the package folder.
 */
export async function clawValidate(
  pkg: PluginPackage,
  outDir: string,
): Promise<{ result: RunResult; report: ValidateReport | undefined }> {
  const scratch = await mkdtemp(join(tmpdir(), "clawhub-validate-"));
  try {
    const result = await clawhub(
      [
        "package",
        "validate",
        pkg.dir,
        "--openclaw",
        OPENCLAW_DIR,
        "--out",
        outDir,
        "--runtime",
        "--allow-execute",
        "--json",
      ],
      scratch,
    );
    let report: ValidateReport | undefined;
    try {
      report = JSON.parse(jsonTail(result.stdout, "{")) as ValidateReport;
    } catch {
      report = undefined;
    }
    return { result, report };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The package-lock.json a plugin folder ships for the copy-a-checkout install (`npm ci
 * --omit=dev --ignore-scripts` in the extensions folder), as npm writes it from package.json
 * alone: no dependencies, and the host peer optional, so npm never fetches a second openclaw.
 */
export async function checkoutLock(pkg: PluginPackage): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "plugin-lock-"));
  try {
    await copyFile(join(pkg.dir, "package.json"), join(dir, "package.json"));
    const args = ["install", "--package-lock-only", "--ignore-scripts", "--offline"];
    check(await npm([...args, "--no-audit", "--no-fund"], { cwd: dir }), `lock for ${pkg.folder}`);
    return await readFile(join(dir, "package-lock.json"), "utf8");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
