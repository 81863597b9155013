import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../../test-support/temp-dirs.ts";
import { LedgerWriter } from "../store/writer.ts";
import { runReportCommand } from "./command.ts";

const tempDir = useTempDirs("ledger-set-aside-report");
const now = Date.UTC(2026, 11, 7, 20);

/** A ledger whose first file was found corrupt at 19:40 and set aside, with one row since. */
function ledgerAfterCorruption(): { path: string; aside: string } {
  const path = join(tempDir(), "ledger.sqlite");
  writeFileSync(path, Buffer.alloc(8192, 0x5a));
  const writer = new LedgerWriter({ path, now: () => Date.UTC(2026, 11, 7, 19, 40) });
  writer.enqueue(sampleRecord({ ts: now - 60_000 }));
  writer.close();
  return { path, aside: `${path}.corrupt-2026-12-07T19-40-00Z` };
}

function run(path: string, flags: Parameters<typeof runReportCommand>[0]) {
  let out = "";
  let err = "";
  const code = runReportCommand(flags, path, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    now,
  });
  return { code, out, err };
}

describe("reports of a ledger whose file was set aside", () => {
  it("read the fresh file and name the one set aside, in JSON, under the table and beside CSV", () => {
    const { path, aside } = ledgerAfterCorruption();
    const json = JSON.parse(run(path, { by: "day", since: "1d", json: true }).out);
    expect(json.totals).toMatchObject({ calls: 1 });
    expect(json.setAside).toEqual([{ path: aside, at: "2026-12-07T19:40:00Z" }]);
    const table = run(path, { by: "day", since: "1d" });
    expect(table.out).toContain(
      `Ledger: ${path}\nSet aside: ${aside} (found corrupt 2026-12-07T19:40:00Z; its rows are not in this report)\n`,
    );
    const csv = run(path, { by: "day", since: "1d", csv: true });
    expect(csv.out).not.toContain("Set aside");
    expect(csv.err).toContain(`Set aside: ${aside}`);
  });

  it("say nothing of the kind for a ledger never set aside", () => {
    const path = join(tempDir(), "ledger.sqlite");
    const writer = new LedgerWriter({ path });
    writer.enqueue(sampleRecord({ ts: now - 60_000 }));
    writer.close();
    writeFileSync(`${path}.corrupt-notes.txt`, "a name the writer never gives");
    const json = JSON.parse(run(path, { by: "day", since: "1d", json: true }).out);
    expect("setAside" in json).toBe(false);
    expect(run(path, { by: "day", since: "1d" }).out).not.toContain("Set aside");
  });
});
