import { readFileSync } from "node:fs";

/**
 * The seed table as published in the package README (the spec's table, verbatim), parsed so
 * tests derive their expectations from it rather than from numbers copied into the test.
 */
export interface SeedTableRow {
  id: string;
  capabilities: string[];
  contextWindow: number;
  maxOutput: number;
  notes: string;
}

const README = new URL("../README.md", import.meta.url);

export function readSeedTable(): SeedTableRow[] {
  const rows = readFileSync(README, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("| cloudsigma/"));
  if (rows.length === 0) throw new Error("README.md has no seed catalog table rows");
  return rows.map((line) => {
    const cells = line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim());
    const [ref = "", capabilities = "", context = "", maxOutput = "", notes = ""] = cells;
    return {
      id: ref.replace(/^cloudsigma\//, ""),
      capabilities: capabilities.split(",").map((capability) => capability.trim()),
      contextWindow: parseTokenCount(context),
      maxOutput: parseTokenCount(maxOutput),
      notes,
    };
  });
}

/** "400k" -> 400000, "1.05M" -> 1050000 (the table's decimal units). */
export function parseTokenCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kM])$/.exec(text);
  if (!match) throw new Error(`not a token count: ${JSON.stringify(text)}`);
  const unit = match[2] === "M" ? 1_000_000 : 1_000;
  return Math.round(Number(match[1]) * unit);
}
