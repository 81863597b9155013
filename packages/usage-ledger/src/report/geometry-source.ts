/**
 * Which cache geometry each model is accounted with, and where it comes from: the one text the
 * CLI report and the Token cache page both print (no Node or DOM import, so both can load it).
 */

/** Where a model's geometry comes from (see cache/geometry.ts for the order). */
export type GeometrySourceKind = "configured" | "probed" | "default";

/** One model's geometry as a report carries it (`cacheGeometry` in the JSON). */
export interface ModelGeometry {
  provider: string;
  model: string;
  source: GeometrySourceKind;
  /** The `cacheGeometry` key that matched (configured only). */
  key?: string;
  /** When the endpoint was probed (probed only; ISO 8601). */
  probedAt?: string;
  minTokens: number;
  stepTokens: number;
  ttlSeconds: number;
  /** Where reads stop; null: learned from the calls; 0: none. */
  plateauTokens: number | null;
  readyDelaySeconds: number;
}

/** `configured (cacheGeometry "cloudsigma/gpt-*")`, `probed 2026-12-08` or `default`. */
export function geometrySourceLabel(
  entry: Pick<ModelGeometry, "source" | "key" | "probedAt">,
): string {
  if (entry.source === "configured")
    return `configured (cacheGeometry ${JSON.stringify(entry.key ?? "")})`;
  if (entry.source === "probed") return `probed ${(entry.probedAt ?? "").slice(0, 10)}`;
  return "default";
}

/** The whole line: the model, its source and the figures it is accounted with. */
export function geometryLine(entry: ModelGeometry): string {
  const plateau =
    entry.plateauTokens === null
      ? "learned"
      : entry.plateauTokens === 0
        ? "none"
        : String(entry.plateauTokens);
  const ready = entry.readyDelaySeconds === 0 ? "at once" : `after ${entry.readyDelaySeconds} s`;
  return `${entry.provider}/${entry.model}: ${geometrySourceLabel(entry)}; minimum ${entry.minTokens}, step ${entry.stepTokens}, plateau ${plateau}, TTL ${entry.ttlSeconds} s, readable ${ready}`;
}
