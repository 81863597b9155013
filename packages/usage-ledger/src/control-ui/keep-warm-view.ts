import { groupLabel, groupLines, lossText, verdictText } from "../keep-warm/advice-text.ts";
import type { KeepWarmGroup } from "../keep-warm/advice-types.ts";
import { el } from "./dom.ts";

/**
 * The "Keep warm" card: the agents where a ping before the cache TTL pays, what it would save
 * per day and the setting to use, in the words `openclaw usage-ledger advise` prints
 * (keep-warm/advice-text.ts), from the `usage-ledger.keepWarm` method.
 */

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);
const numberOrNull = (value: unknown) => value === null || isNumber(value);
const textOrNull = (value: unknown) => value === null || typeof value === "string";
const BASES = new Set(["pays", "does_not_pay", "no_history", "unknown_price"]);

function isGroup(value: unknown): value is KeepWarmGroup {
  if (!isObject(value)) return false;
  const { ttlExpired: t, pings: p } = value;
  return (
    textOrNull(value.agent) &&
    textOrNull(value.provider) &&
    textOrNull(value.model) &&
    isNumber(value.ttlSeconds) &&
    isNumber(value.pingAfterSeconds) &&
    isNumber(value.gaps) &&
    numberOrNull(value.medianGapSeconds) &&
    numberOrNull(value.p90GapSeconds) &&
    Array.isArray(value.histogram) &&
    value.histogram.every((b) => isObject(b) && isNumber(b.gaps) && numberOrNull(b.upToTtls)) &&
    isObject(t) &&
    isNumber(t.calls) &&
    isNumber(t.tokens) &&
    numberOrNull(t.costNano) &&
    isNumber(t.unpricedCalls) &&
    numberOrNull(value.pingCostNano) &&
    numberOrNull(value.warmSavingNano) &&
    Array.isArray(value.returnChance) &&
    value.returnChance.every(numberOrNull) &&
    typeof value.basis === "string" &&
    BASES.has(value.basis) &&
    isNumber(value.pingsPerGap) &&
    numberOrNull(value.expectedNetPerDayNano) &&
    isObject(p) &&
    isNumber(p.count) &&
    numberOrNull(p.costNano) &&
    isNumber(p.warmReturns) &&
    numberOrNull(p.savedNano) &&
    numberOrNull(p.netNano) &&
    isNumber(p.unpriced)
  );
}

/** The method's groups; a group this page cannot read is dropped, never shown as zeros. */
export function readKeepWarmGroups(value: unknown): KeepWarmGroup[] {
  if (!isObject(value) || !Array.isArray(value.groups)) return [];
  return value.groups.filter(isGroup);
}

export function keepWarmCard(groups: readonly KeepWarmGroup[] | null): HTMLElement {
  const title = el("h3", {}, ["Keep warm"]);
  const block = (state: string, children: HTMLElement[]) =>
    el("div", { class: "usage-ledger-tc-block", "data-keep-warm": state }, [title, ...children]);
  if (groups === null)
    return block("unavailable", [
      el("p", { class: "usage-ledger-tc-muted" }, [
        "This ledger does not answer usage-ledger.keepWarm.",
      ]),
    ]);
  const paying = groups.filter((g) => g.basis === "pays");
  const items = paying.map((g) =>
    el("li", { "data-agent": g.agent ?? "" }, [
      el("strong", {}, [groupLabel(g)]),
      ...groupLines(g).map((line) => el("div", {}, [line])),
    ]),
  );
  const rest = groups
    .filter((g) => g.basis !== "pays" && g.ttlExpired.calls > 0)
    .map((g) =>
      el("li", { "data-agent": g.agent ?? "" }, [
        el("strong", {}, [groupLabel(g)]),
        ` ${lossText(g)}; ${verdictText(g)}`,
      ]),
    );
  if (items.length === 0 && rest.length === 0)
    return block("none", [
      el("p", { class: "usage-ledger-tc-muted" }, [
        "No call in this range lost its cache to idle time.",
      ]),
    ]);
  return block(items.length > 0 ? "pays" : "does-not-pay", [
    ...(items.length > 0 ? [el("ul", { class: "usage-ledger-tc-advice" }, items)] : []),
    ...(rest.length > 0 ? [el("ul", { class: "usage-ledger-tc-advice" }, rest)] : []),
  ]);
}
