import { describe, expect, it } from "vitest";
import { Fifo } from "./fifo.ts";

describe("Fifo", () => {
  it("hands items back oldest first across drops and compactions", () => {
    const q = new Fifo<number>();
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) {
        q.push(next);
        expected.push(next++);
      }
      const take = q.peek(250);
      expect(take).toEqual(expected.slice(0, 250));
      q.drop(take.length);
      expected.splice(0, take.length);
      expect(q.size).toBe(expected.length);
    }
    q.drop(1_000_000);
    expect([q.size, q.peek(5)]).toEqual([0, []]);
  });

  it("drains a large backlog in linear time", () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 200_000; i++) q.push(i);
    const started = performance.now();
    while (q.size > 0) q.drop(1);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
