import type { RepriceResult, RowChange } from "./apply.ts";

/**
 * What `usage-ledger reprice` prints: how many rows it examined, what it changed per model
 * (old state -> new state, the cost added and whose prices), and which rows stay unpriced and
 * why. Amounts are exact (nano-USD shown in dollars), since a reprice of a few calls adds
 * fractions of a cent that a rounded figure would hide.
 */

/** Exact USD for a nano-USD amount, without trailing zeros. */
export function exactUsd(nano: number): string {
  const sign = nano < 0 ? "-" : "+";
  const text = (Math.abs(nano) / 1e9).toFixed(9).replace(/\.?0+$/, "");
  return `${sign}$${text}`;
}

interface Group {
  rows: number;
  addedNano: number;
}

function grouped<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  add: (g: Group, i: T) => void,
) {
  const groups = new Map<string, Group>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key) ?? { rows: 0, addedNano: 0 };
    group.rows += 1;
    add(group, item);
    groups.set(key, group);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

const changeKey = (c: RowChange) => `${c.model}\t${c.from} -> ${c.to}\t${c.source}`;

export function repriceSummary(
  result: RepriceResult,
  context: { dryRun: boolean; range: string; ledger: string },
): string {
  const lines: string[] = [];
  const verb = context.dryRun ? "Would reprice" : "Repriced";
  lines.push(
    `Examined ${result.examined} row(s) recorded without a complete price (${context.range}).`,
  );
  lines.push(`${verb} ${result.changes.length} row(s)${result.changes.length ? ":" : "."}`);
  const costChanges = result.changes.filter((c) => c.from !== c.to);
  for (const [key, group] of grouped(costChanges, changeKey, (g, c) => {
    g.addedNano += c.addedNano;
  })) {
    const [model, states, source] = key.split("\t");
    lines.push(
      `  ${model}  ${states}  ${group.rows} row(s)  cost ${exactUsd(group.addedNano)}  (prices: ${source})`,
    );
  }
  const missed = result.changes.filter((c) => c.missedCostPriced);
  for (const [key, group] of grouped(
    missed,
    (c) => c.model,
    (g, c) => {
      g.addedNano += c.missedCostAddedNano;
    },
  )) {
    lines.push(
      `  ${key}  missed cost priced on ${group.rows} row(s)  ${exactUsd(group.addedNano)}`,
    );
  }
  const total = result.changes.reduce((sum, c) => sum + c.addedNano, 0);
  if (result.changes.length) lines.push(`Cost added: ${exactUsd(total)}`);
  lines.push(
    `Still unpriced: ${result.unpriced.length} row(s)${result.unpriced.length ? ":" : "."}`,
  );
  for (const [key, group] of grouped(
    result.unpriced,
    (u) => `${u.model}\t${u.state}\t${u.reason}`,
    () => {},
  )) {
    const [model, state, reason] = key.split("\t");
    lines.push(`  ${model}  ${state}  ${group.rows} row(s): ${reason}`);
  }
  lines.push(`Ledger: ${context.ledger}`);
  if (context.dryRun) lines.push("Dry run: nothing was changed.");
  return `${lines.join("\n")}\n`;
}
