import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join as joinPath } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KeepWarmVerdictReader, pingAfterMs, writeKeepWarmVerdicts } from "./keep-warm.ts";

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(joinPath(tmpdir(), "keep-warm-"));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

/** What a fresh reader makes of `text` as the file. */
function readAs(text: string) {
  const reader = new KeepWarmVerdictReader(stateDir);
  mkdirSync(dirname(reader.path), { recursive: true });
  writeFileSync(reader.path, text);
  return reader;
}

describe("the keep-warm seam", () => {
  it("carries the advisor's verdict per agent to the pinger, and sees a new one once written", async () => {
    let now = 0;
    const reader = new KeepWarmVerdictReader(stateDir, { checkEveryMs: 1_000, now: () => now });
    expect(reader.verdict("main")).toBeUndefined();
    await writeKeepWarmVerdicts(stateDir, {
      computedAt: 5,
      agents: {
        main: { pingsPerGap: 2, basis: "pays" },
        ops: { pingsPerGap: 0, basis: "no_history" },
      },
    });
    now += 1_000;
    expect(reader.verdict("main")).toEqual({ pingsPerGap: 2, basis: "pays" });
    expect(reader.verdict("ops")).toEqual({ pingsPerGap: 0, basis: "no_history" });
    expect(reader.verdict("nobody")).toBeUndefined();
    await writeKeepWarmVerdicts(stateDir, { computedAt: 6, agents: {} });
    now += 1_000;
    expect(reader.verdict("main")).toBeUndefined();
  });

  it.each([
    ["not JSON", "{"],
    [
      "another format",
      JSON.stringify({
        format: 2,
        computedAt: 1,
        agents: { a: { pingsPerGap: 1, basis: "pays" } },
      }),
    ],
    ["no time", JSON.stringify({ format: 1, agents: { a: { pingsPerGap: 1, basis: "pays" } } })],
  ])("reads %s as no verdicts", (_label, text) => {
    expect(readAs(text).verdict("a")).toBeUndefined();
  });

  it("drops a verdict it cannot read rather than guess one", () => {
    const reader = readAs(
      JSON.stringify({
        format: 1,
        computedAt: 1,
        agents: {
          a: { pingsPerGap: 1, basis: "pays" },
          b: { pingsPerGap: -1, basis: "pays" },
          c: { pingsPerGap: 1, basis: "always" },
          d: "pays",
        },
      }),
    );
    expect(["a", "b", "c", "d"].map((agent) => reader.verdict(agent))).toEqual([
      { pingsPerGap: 1, basis: "pays" },
      undefined,
      undefined,
      undefined,
    ]);
  });

  it.each([
    [300_000, 270_000],
    [3_600_000, 3_570_000],
    [4_000, 3_600],
  ])("pings a %d ms cache after %d ms idle", (ttl, after) => {
    expect(pingAfterMs(ttl)).toBe(after);
  });
});
