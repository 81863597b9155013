import uPlot from "uplot";
import { el } from "./dom.ts";
import type { PageData } from "./page-data.ts";
import { tokensText } from "./report-figures.ts";

/**
 * The page's charts. uPlot draws the time series: it is made for dense time-series lines and
 * bars on a canvas, is about 50 KB minified with no dependencies, and needs no framework, so
 * the plugin's browser entry stays small and self-contained. The cause breakdown is a plain
 * stacked bar of elements, so each cause stays a named, readable node.
 */

export const CAUSE_COLORS: Record<string, string> = {
  cold: "#8aa1b1",
  ttl_expired: "#e0a040",
  replica_switch: "#d05050",
  prefix_system: "#7a5fc0",
  prefix_history: "#4f8fd8",
  prefix_tools: "#40a080",
  below_minimum: "#c0c060",
  upstream: "#b06090",
  replica_unreported: "#c07878",
  not_ready: "#5aa0a0",
  plateau: "#b8b8b8",
  unknown: "#999999",
};
const FALLBACK_COLORS = ["#b06090", "#6c9a3c", "#c08060", "#5a8a9a"];

function causeColor(cause: string, index: number): string {
  return CAUSE_COLORS[cause] ?? FALLBACK_COLORS[index % FALLBACK_COLORS.length] ?? "#999";
}

const width = (container: HTMLElement): number => Math.max(320, container.clientWidth || 560);

/** A time chart of two series; returns the plot's disposer. */
function timeChart(
  container: HTMLElement,
  data: PageData,
  series: Array<{ label: string; values: Array<number | null>; color: string; unit: string }>,
): () => void {
  const plot = new uPlot(
    {
      width: width(container),
      height: 220,
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          points: { show: true, size: 6 },
          value: (_: uPlot, v: number | null) => (v === null ? "–" : `${v.toFixed(2)}${s.unit}`),
        })),
      ],
      axes: [{}, { size: 60 }],
      // The whole range, not just the buckets with calls: an idle day reads as idle.
      scales: { x: { time: true, range: () => [data.from / 1000, data.to / 1000] } },
    },
    [data.series.map((p) => p.at / 1000), ...series.map((s) => s.values)],
    container,
  );
  return () => plot.destroy();
}

export function hitChart(container: HTMLElement, data: PageData): () => void {
  return timeChart(container, data, [
    {
      label: "Hit %",
      values: data.series.map((p) => p.hitPercent),
      color: "#2f7de1",
      unit: " %",
    },
    {
      label: "Ideal %",
      values: data.series.map((p) => p.idealHitPercent),
      color: "#9aa0a6",
      unit: " %",
    },
  ]);
}

export function costChart(container: HTMLElement, data: PageData): () => void {
  // A bucket whose prices are all unknown has no cost point rather than a $0 one.
  const known = (state: string, v: number | null) =>
    state === "unknown" || state === "none" ? null : v;
  return timeChart(container, data, [
    {
      label: "Cost $",
      values: data.series.map((p) => known(p.costState, p.costUsd)),
      color: "#d05050",
      unit: "",
    },
    {
      label: "Saved $",
      values: data.series.map((p) =>
        known(p.calls === 0 ? "none" : p.savingState, p.cacheSavingUsd),
      ),
      color: "#40a080",
      unit: "",
    },
  ]);
}

/** Lost tokens by cause, one stacked bar with a legend naming the ledger's causes. */
export function causeChart(data: PageData): HTMLElement {
  const total = data.causes.reduce((sum, c) => sum + c.tokens, 0);
  if (total === 0)
    return el("p", { class: "usage-ledger-tc-muted" }, [
      "No tokens lost to cache misses in this range.",
    ]);
  const bar = el("div", {
    class: "usage-ledger-tc-stack",
    role: "img",
    "aria-label": "Lost tokens by cause",
  });
  const legend = el("ul", { class: "usage-ledger-tc-legend" });
  data.causes.forEach((c, index) => {
    const color = causeColor(c.cause, index);
    const share = (c.tokens / total) * 100;
    bar.append(
      el("span", {
        "data-cause": c.cause,
        title: `${c.cause}: ${c.tokens} tokens`,
        style: `width:${share.toFixed(2)}%;background:${color}`,
      }),
    );
    legend.append(
      el("li", { "data-cause": c.cause, "data-tokens": String(c.tokens) }, [
        el("i", { style: `background:${color}` }),
        `${c.cause}: ${tokensText(c.tokens)} tokens in ${c.calls} call${c.calls === 1 ? "" : "s"}`,
      ]),
    );
  });
  return el("div", {}, [bar, legend]);
}
