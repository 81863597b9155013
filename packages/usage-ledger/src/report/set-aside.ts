import type { GeometryResolver } from "../cache/geometry.ts";
import { type SetAsideLedger, setAsideLedgers } from "../store/set-aside.ts";
import { accountedModels, geometryText, modelGeometries } from "./geometry-notes.ts";
import type { ModelGeometry } from "./geometry-source.ts";
import { openLedgerForReading } from "./read.ts";

/** What a report says beside its figures: corrupt files set aside, and each model's geometry. */
export interface ReportNotes {
  /** Added to the JSON (CLI --json and the gateway method), only when there is something. */
  json: { setAside?: SetAsideLedger[]; cacheGeometry?: ModelGeometry[] };
  /** Lines under the table (and on stderr beside CSV). */
  text: string;
}

/** The geometry the accounting resolves now, for the models accounted in [since, until). */
export interface GeometryNotesInput {
  resolve: GeometryResolver;
  since: number;
  until: number;
}

/**
 * The figures of a report come from the ledger at `path`; when the writer found that file
 * corrupt and started a fresh one, the older rows are in the file set aside, not in the figures,
 * and the report says so and where that file is. With `geometry`, the report also says which
 * cache geometry each model of the range is accounted with (configured, probed, default).
 */
export function reportNotes(path: string, geometry?: GeometryNotesInput): ReportNotes {
  const setAside = setAsideLedgers(path);
  const models = geometry ? readGeometries(path, geometry) : [];
  return {
    json: {
      ...(setAside.length > 0 ? { setAside } : {}),
      ...(models.length > 0 ? { cacheGeometry: models } : {}),
    },
    text:
      setAside
        .map(
          (file) =>
            `Set aside: ${file.path} (found corrupt ${file.at}; its rows are not in this report)\n`,
        )
        .join("") + geometryText(models),
  };
}

function readGeometries(path: string, input: GeometryNotesInput): ModelGeometry[] {
  const db = openLedgerForReading(path);
  if (!db) return [];
  try {
    return modelGeometries(accountedModels(db, input.since, input.until), input.resolve);
  } catch {
    return []; // a ledger without rows yet: nothing accounted, nothing to say
  } finally {
    db.close();
  }
}
