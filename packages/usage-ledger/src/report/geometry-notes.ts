import type { DatabaseSync } from "node:sqlite";
import type { GeometryResolver } from "../cache/geometry.ts";
import { geometryLine, type ModelGeometry } from "./geometry-source.ts";

/** The most models a report lists the geometry of. */
const MAX_MODELS = 100;

/** The models accounted in [since, until), as the accounting names them (the routed model first). */
export function accountedModels(
  db: DatabaseSync,
  since: number,
  until: number,
): Array<{ provider: string; model: string }> {
  const rows = db
    .prepare(
      `SELECT DISTINCT provider, coalesce(routed_model, model) AS model FROM usage_rows
       WHERE ts >= ? AND ts < ? AND provider IS NOT NULL AND model IS NOT NULL
       ORDER BY provider, model LIMIT ${MAX_MODELS}`,
    )
    .all(since, until);
  return rows.flatMap((row) =>
    typeof row.provider === "string" && typeof row.model === "string"
      ? [{ provider: row.provider, model: row.model }]
      : [],
  );
}

/** Each model's geometry and its source, the way the accounting resolves it now. */
export function modelGeometries(
  models: ReadonlyArray<{ provider: string; model: string }>,
  resolve: GeometryResolver,
): ModelGeometry[] {
  return models.map(({ provider, model }) => {
    const { geometry, source } = resolve(provider, model);
    return {
      provider,
      model,
      source: source.kind,
      ...(source.kind === "configured" ? { key: source.key } : {}),
      ...(source.kind === "probed" ? { probedAt: source.probedAt } : {}),
      minTokens: geometry.minTokens,
      stepTokens: geometry.stepTokens,
      ttlSeconds: Math.round(geometry.ttlMs / 1000),
      plateauTokens: geometry.plateauTokens,
      readyDelaySeconds: Math.round(geometry.readyDelayMs / 1000),
    };
  });
}

/** The lines under a report's table. */
export const geometryText = (entries: readonly ModelGeometry[]): string =>
  entries.length === 0
    ? ""
    : `Cache geometry (what each model is accounted with):\n${entries.map((e) => `  ${geometryLine(e)}\n`).join("")}`;
