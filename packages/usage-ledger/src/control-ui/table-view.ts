import { el } from "./dom.ts";
import type { Grouping, GroupRow } from "./page-data.ts";
import { efficiencyText, moneyText, percentText, tokensText } from "./report-figures.ts";

/** The per-agent / per-model / per-upstream table, sortable by any column. */

interface Column {
  id: string;
  label: string;
  value: (row: GroupRow) => number | string;
  text: (row: GroupRow) => string;
}

const COLUMNS: Column[] = [
  { id: "key", label: "", value: (r) => r.key ?? "", text: (r) => r.key || "(none)" },
  { id: "calls", label: "Calls", value: (r) => r.calls, text: (r) => String(r.calls) },
  {
    id: "hit",
    label: "Hit %",
    value: (r) => r.hitPercent ?? -1,
    text: (r) => percentText(r.hitPercent),
  },
  {
    id: "ideal",
    label: "Ideal %",
    value: (r) => r.idealHitPercent ?? -1,
    text: (r) => percentText(r.idealHitPercent),
  },
  {
    id: "efficiency",
    label: "Efficiency",
    value: (r) => r.efficiency ?? -1,
    text: (r) => efficiencyText(r.efficiency),
  },
  { id: "cost", label: "Cost", value: (r) => r.costUsd ?? -1, text: (r) => moneyText(r, "cost") },
  {
    id: "saved",
    label: "Saved",
    value: (r) => r.cacheSavingUsd ?? -1,
    text: (r) => moneyText(r, "saving"),
  },
  {
    id: "lost",
    label: "Lost tokens",
    value: (r) => r.lostTokens,
    text: (r) => tokensText(r.lostTokens),
  },
  {
    id: "cause",
    label: "Top cause",
    value: (r) => r.topCause ?? "",
    text: (r) => r.topCause ?? "–",
  },
];

const GROUP_LABELS: Record<Grouping, string> = {
  agent: "Agent",
  model: "Model",
  upstream: "Upstream",
};

export interface TableState {
  grouping: Grouping;
  sort: string;
  descending: boolean;
}

export function sortRows(rows: readonly GroupRow[], state: TableState): GroupRow[] {
  const column = COLUMNS.find((c) => c.id === state.sort) ?? COLUMNS[1];
  if (!column) return [...rows];
  const sign = state.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    return (
      sign *
      (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y)))
    );
  });
}

/**
 * `openSessions`: shows an agent's sessions in the Control UI; each agent row gets a link to
 * them when the page has it.
 */
export function groupTable(
  groups: Record<Grouping, GroupRow[]>,
  state: TableState,
  onChange: (next: TableState) => void,
  openSessions?: (agentId: string) => void,
): HTMLElement {
  const tabs = el(
    "div",
    { class: "usage-ledger-tc-tabs", role: "group", "aria-label": "Group by" },
    (Object.keys(GROUP_LABELS) as Grouping[]).map((grouping) => {
      const button = el("button", { type: "button", "data-grouping": grouping }, [
        GROUP_LABELS[grouping],
      ]);
      button.setAttribute("aria-pressed", String(grouping === state.grouping));
      button.addEventListener("click", () => onChange({ ...state, grouping }));
      return button;
    }),
  );
  const head = el(
    "tr",
    {},
    COLUMNS.map((column) => {
      const label = column.id === "key" ? GROUP_LABELS[state.grouping] : column.label;
      const sorted = column.id === state.sort;
      const button = el("button", { type: "button", "data-sort": column.id }, [
        sorted ? `${label} ${state.descending ? "▼" : "▲"}` : label,
      ]);
      button.addEventListener("click", () =>
        onChange({ ...state, sort: column.id, descending: sorted ? !state.descending : true }),
      );
      const th = el("th", { scope: "col" }, [button]);
      if (sorted) th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
      return th;
    }),
  );
  const body = el(
    "tbody",
    {},
    sortRows(groups[state.grouping], state).map((row) =>
      el(
        "tr",
        { "data-key": row.key ?? "" },
        COLUMNS.map((c) =>
          c.id === "key"
            ? el("th", { scope: "row" }, keyCell(row, state.grouping, openSessions))
            : el("td", {}, [c.text(row)]),
        ),
      ),
    ),
  );
  return el("div", {}, [
    tabs,
    el("table", { class: "usage-ledger-tc-table" }, [el("thead", {}, [head]), body]),
  ]);
}

function keyCell(
  row: GroupRow,
  grouping: Grouping,
  openSessions: ((agentId: string) => void) | undefined,
): Array<Node | string> {
  const name = row.key || "(none)";
  const agentId = row.key;
  if (grouping !== "agent" || !agentId || !openSessions) return [name];
  const link = el("a", { href: "#", class: "usage-ledger-tc-link", "data-sessions": agentId }, [
    "sessions",
  ]);
  link.setAttribute("aria-label", `${agentId}: open its sessions`);
  link.addEventListener("click", (event) => {
    event.preventDefault();
    openSessions(agentId);
  });
  return [name, " ", link];
}
