import { type CacheGeometry, cacheableTokens } from "./geometry.ts";

/**
 * A provider's plateau: the size at which its cache reads stop however long the prefix the
 * conversation shares (OpenClaw's live probes: OpenAI-family reads stop near 4,864 tokens for
 * stable long prefixes, 4,608 for tool-heavy transcripts, even on exact repeats). Tokens past
 * it are not the operator's to win back, so a call is expected to read up to the plateau only.
 *
 * A configured plateau (`cacheGeometry[...].plateauTokens`) is taken as given; otherwise it is
 * learned per model from the calls themselves:
 * - a read that stops short of what the call shared, with nothing in its context to explain it
 *   (not idle past the TTL, not another replica, not a cache still being built), is where the
 *   model's reads stop: the first such read already sets the plateau, so the first call that
 *   meets it is not a miss;
 * - the plateau only rises: a later read that stops above it raises it;
 * - a read that stops more than two cache steps below it is a miss like any other;
 * - a read past it by more than two steps shows the provider has no plateau there: forgotten.
 * Two steps is the spread OpenClaw saw between prompt shapes (4,864 against 4,608), so a read
 * that stops within two steps under the plateau is the plateau for that prompt.
 */
export interface PlateauInput {
  geometry: CacheGeometry;
  /** The model's learned plateau before this call, if one is known. */
  learned: number | undefined;
  read: number;
  /** What the call could read were there no plateau. */
  shared: number;
  /** The call's context already explains a short read: then it tells nothing of a plateau. */
  explained: boolean;
}

export interface PlateauCall {
  /** Where this call's reads stop: its expected read is capped here. Undefined: no plateau. */
  cap: number | undefined;
  /** The model's learned plateau after this call (unchanged when the plateau is configured). */
  learned: number | undefined;
}

export function plateauFor(input: PlateauInput): PlateauCall {
  const { geometry, learned, read, shared, explained } = input;
  const tolerance = 2 * geometry.stepTokens;
  const stopped = read > 0 && read < shared && !explained;
  const configured = geometry.plateauTokens;
  if (configured === 0) return { cap: undefined, learned };
  if (configured !== null) {
    const plateau = cacheableTokens(configured, geometry);
    const cap = stopped && read < plateau && read >= plateau - tolerance ? read : plateau;
    return { cap, learned };
  }
  if (stopped && (learned === undefined || read >= learned - tolerance)) {
    return { cap: read, learned: Math.max(learned ?? 0, read) };
  }
  if (learned !== undefined && read > learned) {
    const next = read > learned + tolerance ? undefined : read;
    return { cap: next, learned: next };
  }
  return { cap: learned, learned };
}
