import type { ModelDefinition } from "./model-types.ts";

/**
 * The catalog the host sees after a successful discovery: every static row first, as given
 * (verified limits and capabilities must not drift with the gateway's listing; only the prices
 * the listing states are filled in before, by `withListedPrices`), then the live rows whose ids
 * the static catalog does not already publish, in the gateway's order.
 */
export function mergeCatalog(
  staticRows: readonly ModelDefinition[],
  liveRows: readonly ModelDefinition[],
): ModelDefinition[] {
  const known = new Set(staticRows.map((row) => row.id));
  const added = liveRows.filter((row) => {
    if (known.has(row.id)) return false;
    known.add(row.id);
    return true;
  });
  return [...staticRows, ...added];
}
