import { describe, expect, it } from "vitest";
import { BoundedMap } from "./bounded-map.ts";

describe("BoundedMap", () => {
  it("forgets the least recently written key past its capacity; a rewrite makes a key recent", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    map.set("a", 3);
    map.set("c", 4);
    expect([map.get("a"), map.get("b"), map.get("c")]).toEqual([3, undefined, 4]);
    map.delete("a");
    expect(map.get("a")).toBeUndefined();
  });

  it("tells the owner of each entry dropped for capacity, so it can release what it holds", () => {
    const dropped: Array<[string, number]> = [];
    const map = new BoundedMap<string, number>(2, (key, value) => dropped.push([key, value]));
    map.set("a", 1);
    map.set("b", 2);
    map.set("c", 3);
    map.delete("b");
    expect(dropped).toEqual([["a", 1]]);
    expect([...map.entries()]).toEqual([["c", 3]]);
    expect(map.size).toBe(1);
  });
});
