import { ttlAdviceText } from "../keep-warm/advice-text.ts";
import { pricierRouteText } from "../report/route-cost.ts";
import { el } from "./dom.ts";
import type { PageData } from "./page-data.ts";
import { missedCostPageText, tokensText } from "./report-figures.ts";

/**
 * What to do about the losses the page shows: per cause that lost tokens, what it cost and the
 * advice the CLI prints under its table (report/advice.ts), and per agent whose cost a pricier
 * autorouted route drives, the CLI's route-cost line (report/route-cost.ts), word for word.
 */
export function adviceSection(data: PageData): HTMLElement {
  const causes = data.advice.map((c) =>
    el("li", { "data-cause": c.cause }, [
      el("strong", {}, [c.cause]),
      ` ${tokensText(c.lostTokens)} tokens lost, ${missedCostPageText(c)} missed. `,
      c.advice ?? "A cause this page does not know.",
      ...(c.cause === "ttl_expired" ? [` ${ttlAdviceText(data.keepWarm ?? []) ?? ""}`] : []),
    ]),
  );
  const routes = data.pricierRoutes.map((r) =>
    el("li", { "data-agent": r.agent ?? "" }, [pricierRouteText(r)]),
  );
  return el("div", { class: "usage-ledger-tc-block", "data-advice": "causes" }, [
    el("h3", {}, ["What to do"]),
    causes.length > 0
      ? el("ul", { class: "usage-ledger-tc-advice" }, causes)
      : el("p", { class: "usage-ledger-tc-muted" }, ["No cause lost tokens in this range."]),
    ...(routes.length > 0
      ? [
          el("h3", {}, ["Route cost"]),
          el("ul", { class: "usage-ledger-tc-advice", "data-advice": "routes" }, routes),
        ]
      : []),
  ]);
}
