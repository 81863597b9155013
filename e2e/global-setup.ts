import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { OPENCLAW_ENTRY, REPO_ROOT } from "./harness/openclaw-cli.ts";

/**
 * Runs once before the end-to-end project: checks the runtime the host needs and builds the
 * plugin packages, so every e2e test loads the same `dist/` a user would install.
 */
export default function setup(): void {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major < 24 || (major === 24 && minor < 16)) {
    throw new Error(
      `e2e tests need Node >= 24.16 (the host's requirement), got ${process.versions.node}. Run them through npm (npm test), which uses the pinned node devDependency.`,
    );
  }
  if (!existsSync(OPENCLAW_ENTRY))
    throw new Error(`the openclaw host is not installed at ${OPENCLAW_ENTRY}: run npm ci`);
  if (existsSync(join(REPO_ROOT, "scripts", "build.ts"))) {
    execFileSync(process.execPath, [join(REPO_ROOT, "scripts", "build.ts")], {
      cwd: REPO_ROOT,
      stdio: "inherit",
    });
  }
}
