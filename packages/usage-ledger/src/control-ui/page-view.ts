import type { ControlUiViewContext } from "openclaw/plugin-sdk/control-ui";
import { adviceSection } from "./advice-view.ts";
import { causeChart, costChart, hitChart } from "./charts.ts";
import { el } from "./dom.ts";
import { geometrySection } from "./geometry-view.ts";
import { keepWarmCard } from "./keep-warm-view.ts";
import { loadPageData, type PageData, RANGES, type RangeId } from "./page-data.ts";
import {
  efficiencyText,
  missedCostPageText,
  moneyNoteLines,
  moneyText,
  percentText,
} from "./report-figures.ts";
import { openAgentSessions } from "./session-link.ts";
import { groupTable, type TableState } from "./table-view.ts";

/**
 * The Token cache page: headline figures for the chosen range, hit rate against the ideal and
 * cost against the saving over time, lost tokens by cause, the per-agent/model/upstream table
 * and each agent's latest TaaS route. Every figure comes from the operator's own gateway
 * connection (`context.host.request`), so the host's sign-in and scopes apply.
 */

export const PAGE_CLASS = "usage-ledger-tc";

const EMPTY_HELP = [
  "No model calls are recorded in this range yet.",
  'The ledger records calls once the plugin may see conversations: set plugins.entries.usage-ledger.hooks.allowConversationAccess to true, then run a turn (openclaw agent --message "hello") or chat here, and come back.',
];

export function mountTokenCachePage(container: HTMLElement, context: ControlUiViewContext) {
  const { host, signal } = context;
  let range: RangeId = "24h";
  let table: TableState = { grouping: "agent", sort: "calls", descending: true };
  let data: PageData | undefined;
  let disposers: Array<() => void> = [];
  let generation = 0;

  const root = el("section", { class: PAGE_CLASS, "data-state": "loading" });
  // Says why an agent's sessions link did not open a session.
  const notice = el("p", { class: "usage-ledger-tc-muted", role: "status" });
  container.append(root);

  const release = () => {
    for (const dispose of disposers) dispose();
    disposers = [];
  };

  async function load(): Promise<void> {
    const mine = ++generation;
    root.dataset.state = "loading";
    try {
      const agents = host.agents.rows.map((agent) => agent.id);
      const loaded = await loadPageData(
        (method, params) => host.request(method, params),
        range,
        agents,
      );
      if (signal.aborted || mine !== generation) return;
      data = loaded;
      render();
    } catch (error) {
      if (signal.aborted || mine !== generation) return;
      release();
      root.replaceChildren(
        header(),
        el("p", { class: "usage-ledger-tc-error", role: "alert" }, [
          `The usage ledger could not be read: ${error instanceof Error ? error.message : String(error)}`,
        ]),
      );
      root.dataset.state = "error";
    }
  }

  function header(): HTMLElement {
    const picker = el(
      "div",
      { class: "usage-ledger-tc-tabs", role: "group", "aria-label": "Range" },
      RANGES.map((r) => {
        const button = el("button", { type: "button", "data-range": r.id }, [r.label]);
        button.setAttribute("aria-pressed", String(r.id === range));
        button.addEventListener("click", () => {
          range = r.id;
          void load();
        });
        return button;
      }),
    );
    return el("header", {}, [el("h2", {}, ["Token cache"]), picker]);
  }

  function render(): void {
    if (!data) return;
    release();
    root.dataset.range = data.range;
    const t = data.totals;
    if (t.calls === 0) {
      root.replaceChildren(
        header(),
        el(
          "div",
          { class: "usage-ledger-tc-empty", "data-empty": "true" },
          EMPTY_HELP.map((line) => el("p", {}, [line])),
        ),
      );
      root.dataset.state = "empty";
      return;
    }
    const figure = (id: string, label: string, value: string) =>
      el("div", { class: "usage-ledger-tc-figure", "data-figure": id }, [
        el("span", {}, [label]),
        el("strong", {}, [value]),
      ]);
    const hitBox = el("div", { class: "usage-ledger-tc-chart", "data-chart": "hit" });
    const costBox = el("div", { class: "usage-ledger-tc-chart", "data-chart": "cost" });
    root.replaceChildren(
      header(),
      el("div", { class: "usage-ledger-tc-figures" }, [
        figure("hit", "Hit %", percentText(t.hitPercent)),
        figure("ideal", "Ideal %", percentText(t.idealHitPercent)),
        figure("efficiency", "Efficiency", efficiencyText(t.efficiency)),
        figure("cost", "Cost", moneyText(t, "cost")),
        figure("saved", "Saved by cache", moneyText(t, "saving")),
        figure("missed", "Missed cache cost", missedCostPageText(t)),
        figure("calls", "Calls", String(t.calls)),
      ]),
      el(
        "div",
        { class: "usage-ledger-tc-notes" },
        moneyNoteLines(t).map((line) => el("p", { class: "usage-ledger-tc-muted" }, [line])),
      ),
      el("div", { class: "usage-ledger-tc-row" }, [
        el("div", { class: "usage-ledger-tc-block" }, [
          el("h3", {}, ["Hit % against the ideal"]),
          hitBox,
        ]),
        el("div", { class: "usage-ledger-tc-block" }, [
          el("h3", {}, ["Cost against the saving (USD)"]),
          costBox,
        ]),
      ]),
      el("div", { class: "usage-ledger-tc-block", "data-chart": "causes" }, [
        el("h3", {}, ["Lost tokens by cause"]),
        causeChart(data),
      ]),
      adviceSection(data),
      geometrySection(data),
      keepWarmCard(data.keepWarm),
      el("div", {}, [
        el("h3", {}, ["By agent, model and upstream"]),
        groupTable(
          data.groups,
          table,
          (next) => {
            table = next;
            render();
          },
          (agentId) => void openSessions(agentId),
        ),
        notice,
      ]),
      routesSection(data),
    );
    disposers.push(hitChart(hitBox, data), costChart(costBox, data));
    root.dataset.state = "ready";
  }

  async function openSessions(agentId: string): Promise<void> {
    notice.textContent = "";
    const result = await openAgentSessions(host, agentId, signal);
    if (signal.aborted) return;
    if (result === "no-sessions") notice.textContent = `${agentId} has no sessions to open.`;
    if (result === "unavailable")
      notice.textContent = `The Control UI did not list ${agentId}'s sessions; try again.`;
  }

  void load();
  return {
    dispose: () => {
      generation++;
      release();
      root.remove();
    },
  };
}

function routesSection(data: PageData): HTMLElement {
  const title = el("h3", {}, ["Latest route per agent"]);
  if (data.routes === null)
    return el("div", { "data-routes": "unavailable" }, [
      title,
      el("p", { class: "usage-ledger-tc-muted" }, [
        "Routes come from the TaaS affinity plugin (openclaw-taas-affinity), which is not available on this gateway.",
      ]),
    ]);
  if (data.routes.length === 0)
    return el("div", { "data-routes": "none" }, [
      title,
      el("p", { class: "usage-ledger-tc-muted" }, ["No TaaS route captured yet."]),
    ]);
  return el("div", { "data-routes": "list" }, [
    title,
    el(
      "ul",
      { class: "usage-ledger-tc-routes" },
      data.routes.map((r) =>
        el("li", { "data-agent": r.agentId }, [
          el("strong", {}, [r.agentId]),
          ` → ${r.model ?? "?"}${r.autorouted ? " (autorouted)" : ""} via ${r.upstream ?? "unknown upstream"}`,
          r.capturedAt
            ? el("span", { class: "usage-ledger-tc-muted" }, [` at ${r.capturedAt}`])
            : "",
        ]),
      ),
    ),
  ]);
}
