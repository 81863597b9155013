import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ProbedGeometry,
  ProbedGeometryReader,
  writeProbedGeometry,
} from "./probed-geometry.ts";

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "probed-geometry-"));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

const geometry = (probedAt: string, minTokens = 1024): ProbedGeometry => ({
  probedAt,
  minTokens,
  stepTokens: 128,
  plateauTokens: 4864,
  searchedTokens: 6148,
  readyDelayMs: 0,
  ttlMs: null,
  reportsWrites: false,
});

const PROVIDERS = ["cloudsigma", "cloudsigma-taas"];

describe("the probed-geometry seam", () => {
  it("carries a model's measurement to a reader, per endpoint, for the provider and its aliases", async () => {
    const probed = geometry("2026-12-08T01:00:00.000Z");
    await writeProbedGeometry(stateDir, "https://taas.example/v1/", PROVIDERS, "gpt-5.5", probed);
    const reader = new ProbedGeometryReader(stateDir);
    expect(reader.lookup("cloudsigma", "gpt-5.5")).toEqual(probed);
    expect(reader.lookup("CloudSigma-TaaS", "gpt-5.5", "HTTPS://taas.example/v1")).toEqual(probed);
    expect(reader.lookup("cloudsigma", "gpt-5.5", "https://other.example/v1")).toBeUndefined();
    expect(reader.lookup("cloudsigma", "kimi-k2.6")).toBeUndefined();
    expect(reader.lookup("openai", "gpt-5.5")).toBeUndefined();
  });

  it("keeps other models and endpoints when one is saved; the newest wins without an endpoint", async () => {
    const older = geometry("2026-12-01T00:00:00.000Z", 2048);
    const newer = geometry("2026-12-07T00:00:00.000Z", 4096);
    await writeProbedGeometry(
      stateDir,
      "http://127.0.0.1:8787/v1",
      PROVIDERS,
      "claude-opus-4.8",
      older,
    );
    await writeProbedGeometry(
      stateDir,
      "https://taas.example/v1",
      PROVIDERS,
      "claude-opus-4.8",
      newer,
    );
    await writeProbedGeometry(stateDir, "https://taas.example/v1", PROVIDERS, "gpt-5.5", older);
    const reader = new ProbedGeometryReader(stateDir);
    expect(reader.lookup("cloudsigma", "claude-opus-4.8")).toEqual(newer);
    expect(reader.lookup("cloudsigma", "claude-opus-4.8", "http://127.0.0.1:8787/v1")).toEqual(
      older,
    );
    expect(reader.lookup("cloudsigma", "gpt-5.5")).toEqual(older);
  });

  it("keys an endpoint without credentials or query, and keeps the file private", async () => {
    await writeProbedGeometry(
      stateDir,
      "https://user:secret@taas.example/v1?key=x",
      PROVIDERS,
      "m",
      geometry("2026-12-08T00:00:00Z"),
    );
    const path = new ProbedGeometryReader(stateDir).path;
    expect(readFileSync(path, "utf8")).not.toMatch(/secret|key=x/);
    const reader = new ProbedGeometryReader(stateDir);
    expect(reader.lookup("cloudsigma", "m", "HTTPS://taas.example/v1/")).toBeDefined();
    await expect(
      writeProbedGeometry(
        stateDir,
        "ftp://taas.example",
        PROVIDERS,
        "m",
        geometry("2026-12-08T00:00:00Z"),
      ),
    ).rejects.toThrow("not an http(s) endpoint");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
  });

  it("sees a new measurement once it is written, looking at most once per interval", async () => {
    let now = 0;
    const reader = new ProbedGeometryReader(stateDir, { checkEveryMs: 1_000, now: () => now });
    expect(reader.lookup("cloudsigma", "m")).toBeUndefined();
    const probed = geometry("2026-12-08T00:00:00.000Z");
    await writeProbedGeometry(stateDir, "https://taas.example/v1", PROVIDERS, "m", probed);
    expect(reader.lookup("cloudsigma", "m")).toBeUndefined();
    now += 1_000;
    expect(reader.lookup("cloudsigma", "m")).toEqual(probed);
  });

  it("reads an unreadable, foreign or malformed entry as no measurement", async () => {
    await writeProbedGeometry(
      stateDir,
      "https://taas.example/v1",
      PROVIDERS,
      "m",
      geometry("2026-12-08T00:00:00Z"),
    );
    const path = new ProbedGeometryReader(stateDir).path;
    const good = JSON.parse(readFileSync(path, "utf8"));
    const entry = good.endpoints["https://taas.example/v1"].models.m;
    for (const [label, text] of [
      ["not json", "{"],
      ["other format", JSON.stringify({ ...good, format: 2 })],
      [
        "step 0",
        JSON.stringify({
          ...good,
          endpoints: {
            "https://taas.example/v1": {
              providers: PROVIDERS,
              models: { m: { ...entry, stepTokens: 0 } },
            },
          },
        }),
      ],
      [
        "bad date",
        JSON.stringify({
          ...good,
          endpoints: {
            "https://taas.example/v1": {
              providers: PROVIDERS,
              models: { m: { ...entry, probedAt: "soon" } },
            },
          },
        }),
      ],
    ]) {
      writeFileSync(path, text ?? "");
      expect(new ProbedGeometryReader(stateDir).lookup("cloudsigma", "m"), label).toBeUndefined();
    }
  });
});
