import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../test-support/temp-dirs.ts";
import { workspaceIdentity } from "./affinity-id.ts";
import { installKeyPath, loadInstallKey } from "./install-key.ts";

const stateDir = useTempDirs("install-key");

describe("the install's id key", () => {
  it("is created once, private, and the same on every later load (a restart)", () => {
    const dir = stateDir();
    const first = loadInstallKey(dir);
    expect(first).toMatchObject({ stable: true, key: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(statSync(installKeyPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(installKeyPath(dir))).mode & 0o777).toBe(0o700);
    expect(loadInstallKey(dir)).toEqual(first);
    expect(readFileSync(installKeyPath(dir), "utf8").trim()).toBe(first.key);
  });

  it("differs per install, so the same workspace gets another id on a new install", () => {
    const [a, b] = [loadInstallKey(stateDir()), loadInstallKey(stateDir())];
    expect(a.key).not.toBe(b.key);
    const workspace = "/home/op/openclaw-home/workspace-main";
    expect(workspaceIdentity(a.key, workspace).id).not.toBe(workspaceIdentity(b.key, workspace).id);
    expect(workspaceIdentity(a.key, workspace)).toEqual(workspaceIdentity(a.key, workspace));
  });

  it("falls back to a key for this process only, with the reason, when the state dir cannot hold one", () => {
    const dir = stateDir();
    writeFileSync(join(dir, "openclaw-taas-affinity"), "a file where the folder should be");
    const loaded = loadInstallKey(dir);
    expect(loaded).toMatchObject({ stable: false, why: expect.any(String) });
    expect(loaded.key).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a damaged key file rather than silently replacing it", () => {
    const dir = stateDir();
    mkdirSync(dirname(installKeyPath(dir)), { recursive: true });
    writeFileSync(installKeyPath(dir), "not a key\n");
    expect(loadInstallKey(dir)).toMatchObject({
      stable: false,
      why: expect.stringMatching(/does not hold a 64-hex-digit key/),
    });
    expect(readFileSync(installKeyPath(dir), "utf8")).toBe("not a key\n");
  });
});
