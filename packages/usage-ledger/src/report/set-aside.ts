import { type SetAsideLedger, setAsideLedgers } from "../store/set-aside.ts";

/** What a report says beside its figures: the ledger files set aside as corrupt. */
export interface ReportNotes {
  /** Added to the JSON (CLI --json and the gateway method), only when there is something. */
  json: { setAside?: SetAsideLedger[] };
  /** Lines under the table (and on stderr beside CSV). */
  text: string;
}

/**
 * The figures of a report come from the ledger at `path`; when the writer found that file
 * corrupt and started a fresh one, the older rows are in the file set aside, not in the figures,
 * and the report says so and where that file is.
 */
export function reportNotes(path: string): ReportNotes {
  const setAside = setAsideLedgers(path);
  if (setAside.length === 0) return { json: {}, text: "" };
  return {
    json: { setAside },
    text: setAside
      .map(
        (file) =>
          `Set aside: ${file.path} (found corrupt ${file.at}; its rows are not in this report)\n`,
      )
      .join(""),
  };
}
