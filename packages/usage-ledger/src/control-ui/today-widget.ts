import type { ControlUiWidget } from "openclaw/plugin-sdk/control-ui";
import { el } from "./dom.ts";
import { REPORT_METHOD } from "./page-data.ts";
import { moneyText, percentText, readReport } from "./report-figures.ts";
import { todaySince } from "./widget-id.ts";

type WidgetView = ControlUiWidget["mount"];

/** The dashboard widget: today's hit % against the ideal, cost and saving. */
export const mountTodayWidget: WidgetView = (container, context) => {
  const root = el("div", {
    class: "usage-ledger-tc usage-ledger-tc-widget",
    "data-state": "loading",
  });
  container.append(root);
  const since = todaySince(new Date());
  void context.host
    .request(REPORT_METHOD, { by: "agent", since })
    .then((answer) => {
      if (context.signal.aborted) return;
      const t = readReport(answer).totals;
      const line = (id: string, label: string, value: string) =>
        el("div", { class: "usage-ledger-tc-figure", "data-figure": id }, [
          el("span", {}, [label]),
          el("strong", {}, [value]),
        ]);
      root.replaceChildren(
        el("div", { class: "usage-ledger-tc-figures" }, [
          line("hit", "Hit % today", percentText(t.hitPercent)),
          line("ideal", "Ideal %", percentText(t.idealHitPercent)),
          line("cost", "Cost", moneyText(t, "cost")),
          line("saved", "Saved", moneyText(t, "saving")),
        ]),
      );
      root.dataset.state = t.calls === 0 ? "empty" : "ready";
      root.dataset.since = since;
    })
    .catch((error: unknown) => {
      if (context.signal.aborted) return;
      root.replaceChildren(
        el("p", { class: "usage-ledger-tc-error", role: "alert" }, [
          `The usage ledger could not be read: ${error instanceof Error ? error.message : String(error)}`,
        ]),
      );
      root.dataset.state = "error";
    });
  return { dispose: () => root.remove() };
};
