import type { ModelDefinition } from "./model-types.ts";
import { isOnboardingsRow, rowDigest } from "./onboard-marks.ts";

/**
 * The rows onboarding writes into `models.providers.cloudsigma.models`, so that re-running it
 * (after an upgrade, or to pick up routes the gateway added) refreshes the catalog instead of
 * freezing it at the first run, without touching what the operator wrote:
 * - a row the operator authored or edited (no mark, or a mark its content no longer matches)
 *   is kept as it is, first, and wins over the current row of the same id;
 * - every current row (the static catalog, then the routes `/models` listed) is written and
 *   marked, replacing onboarding's earlier row of that id;
 * - an earlier onboarding row that is no longer current is removed when the listing was read,
 *   and kept unchanged (still marked) when it could not be: a failed read is not a removal.
 */

export interface OnboardedRowsInput {
  /** What `models.providers.cloudsigma.models` holds now. */
  existing: readonly ModelDefinition[];
  /** The marks onboarding recorded last time (`id` -> digest). */
  marks: ReadonlyMap<string, string>;
  /** The rows onboarding would write today: the static catalog, then discovered routes. */
  current: readonly ModelDefinition[];
  /** Whether `current` includes a successful read of the gateway's model list. */
  listed: boolean;
}

export interface OnboardedRows {
  models: ModelDefinition[];
  marks: Map<string, string>;
  /** Onboarding's earlier rows whose current value differs, now replaced. */
  refreshed: number;
  /** Current rows onboarding had not written before. */
  added: number;
  /** Onboarding's earlier rows that are no longer seeded or listed. */
  removed: string[];
  /** Ids where the operator's row was kept instead of the current one. */
  keptOperatorRows: string[];
}

export function mergeOnboardedRows(input: OnboardedRowsInput): OnboardedRows {
  const operatorRows: ModelDefinition[] = [];
  const earlier = new Map<string, ModelDefinition>();
  for (const row of input.existing) {
    if (isOnboardingsRow(row, input.marks)) earlier.set(row.id, row);
    else operatorRows.push(row);
  }
  const operatorIds = new Set(operatorRows.map((row) => row.id));
  const out: OnboardedRows = {
    models: [...operatorRows],
    marks: new Map(),
    refreshed: 0,
    added: 0,
    removed: [],
    keptOperatorRows: [],
  };
  const write = (row: ModelDefinition) => {
    out.models.push(row);
    out.marks.set(row.id, rowDigest(row));
  };
  for (const row of input.current) {
    if (operatorIds.has(row.id)) {
      out.keptOperatorRows.push(row.id);
      continue;
    }
    if (out.marks.has(row.id)) continue;
    const before = earlier.get(row.id);
    if (!before) out.added += 1;
    else if (rowDigest(before) !== rowDigest(row)) out.refreshed += 1;
    write(row);
  }
  for (const [id, row] of earlier) {
    if (out.marks.has(id) || operatorIds.has(id)) continue;
    if (input.listed) out.removed.push(id);
    else write(row);
  }
  return out;
}
