import { geometryLine } from "../report/geometry-source.ts";
import { el } from "./dom.ts";
import type { PageData } from "./page-data.ts";

/**
 * Which cache geometry each model is accounted with (configured, probed with its date, or
 * default): the lines the CLI report prints under its table, word for word.
 */
export function geometrySection(data: PageData): HTMLElement {
  return el("div", { class: "usage-ledger-tc-block", "data-geometry": "models" }, [
    el("h3", {}, ["Cache geometry"]),
    data.geometry.length > 0
      ? el(
          "ul",
          { class: "usage-ledger-tc-advice" },
          data.geometry.map((entry) =>
            el("li", { "data-model": `${entry.provider}/${entry.model}` }, [geometryLine(entry)]),
          ),
        )
      : el("p", { class: "usage-ledger-tc-muted" }, ["No model was accounted in this range."]),
  ]);
}
