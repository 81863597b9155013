import { describe, expect, it } from "vitest";
import { geometry } from "./accounting.test-support.ts";
import { type PlateauInput, plateauFor } from "./plateau.ts";

/** A call that shared 12,928 tokens and read `read`, with nothing in its context to explain it. */
const input = (read: number, overrides: Partial<PlateauInput> = {}): PlateauInput => ({
  geometry,
  learned: undefined,
  read,
  shared: 12_928,
  explained: false,
  ...overrides,
});
const configured = (tokens: number) => ({ geometry: { ...geometry, plateauTokens: tokens } });

describe("plateauFor", () => {
  it.each<[string, PlateauInput, { cap: number | undefined; learned: number | undefined }]>([
    ["the first short read is the plateau", input(4864), { cap: 4864, learned: 4864 }],
    [
      "a short read above the learned plateau raises it",
      input(4864, { learned: 4608 }),
      { cap: 4864, learned: 4864 },
    ],
    [
      "a short read two steps under it is the plateau for that prompt; the plateau stays",
      input(4608, { learned: 4864 }),
      { cap: 4608, learned: 4864 },
    ],
    [
      "a short read further under it is a miss against the plateau",
      input(4480, { learned: 4864 }),
      { cap: 4864, learned: 4864 },
    ],
    ["nothing read: a miss, nothing learned", input(0), { cap: undefined, learned: undefined }],
    [
      "nothing read with a plateau learned: a miss up to it",
      input(0, { learned: 4864 }),
      { cap: 4864, learned: 4864 },
    ],
    [
      "a short read the context explains teaches nothing",
      input(4864, { explained: true }),
      { cap: undefined, learned: undefined },
    ],
    [
      "a read of all it shared, a step past the plateau, raises it",
      input(4992, { shared: 4992, learned: 4864 }),
      { cap: 4992, learned: 4992 },
    ],
    [
      "a read well past the plateau shows there is none there: forgotten",
      input(12_928, { learned: 4864 }),
      { cap: undefined, learned: undefined },
    ],
    [
      "a configured plateau is taken as given, and nothing is learned",
      input(2048, configured(4864)),
      { cap: 4864, learned: undefined },
    ],
    [
      "a configured plateau off the grid is floored to it",
      input(0, configured(4900)),
      { cap: 4864, learned: undefined },
    ],
    [
      "a configured plateau also stops two steps lower for some prompts",
      input(4608, configured(4864)),
      { cap: 4608, learned: undefined },
    ],
    [
      "a configured 0 says the model has none: no cap, nothing learned",
      input(4864, configured(0)),
      { cap: undefined, learned: undefined },
    ],
  ])("%s", (_label, given, expected) => {
    expect(plateauFor(given)).toEqual(expected);
  });
});
