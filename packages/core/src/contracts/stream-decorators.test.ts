import { afterEach, describe, expect, it } from "vitest";
import {
  AFFINITY_DECORATOR,
  applyStreamDecorators,
  isDecorated,
  markDecorated,
  publishedStreamDecoratorIds,
  publishStreamDecorator,
} from "./stream-decorators.ts";

type Fn = (label: string) => string;
type Ctx = { provider: string };

const withdrawals: Array<() => void> = [];
afterEach(() => {
  for (const withdraw of withdrawals.splice(0)) withdraw();
});

const publish = (tag: string, slot: { id: string; order: number } = AFFINITY_DECORATOR) => {
  const withdraw = publishStreamDecorator<Ctx, Fn>(slot, (ctx) => {
    const inner = ctx.streamFn;
    return inner ? (label) => `${tag}(${inner(label)})` : undefined;
  });
  withdrawals.push(withdraw);
  return withdraw;
};

const host: Fn = (label) => `host:${label}`;

describe("stream decorator seam", () => {
  it("hands back the host's stream when nothing is published", () => {
    expect(publishedStreamDecoratorIds()).toEqual([]);
    expect(applyStreamDecorators<Ctx, Fn>({ provider: "cloudsigma", streamFn: host })).toBe(host);
  });

  it("applies the newest live publication of an id, once", () => {
    publish("old");
    publish("new");
    const wrapped = applyStreamDecorators<Ctx, Fn>({ provider: "cloudsigma", streamFn: host });
    expect(wrapped?.("x")).toBe("new(host:x)");
    expect(publishedStreamDecoratorIds()).toEqual(["openclaw-taas-affinity"]);
  });

  it("applies by explicit order, not by the order plugins registered in", () => {
    publish("outer", { id: "z-outer", order: 200 });
    publish("inner", { id: "a-inner", order: 10 });
    publish("middle", { id: "m-middle", order: 100 });
    expect(publishedStreamDecoratorIds()).toEqual(["a-inner", "m-middle", "z-outer"]);
    const wrapped = applyStreamDecorators<Ctx, Fn>({ provider: "cloudsigma", streamFn: host });
    expect(wrapped?.("x")).toBe("outer(middle(inner(host:x)))");
  });

  it("withdraws only the disposed instance's publication (a reload)", () => {
    publish("first");
    const withdrawSecond = publish("second");
    withdrawSecond();
    expect(applyStreamDecorators<Ctx, Fn>({ provider: "p", streamFn: host })?.("x")).toBe(
      "first(host:x)",
    );
    // Withdrawing twice is harmless, and the last withdrawal leaves the host's stream alone.
    withdrawSecond();
    for (const withdraw of withdrawals.splice(0)) withdraw();
    expect(publishedStreamDecoratorIds()).toEqual([]);
    expect(applyStreamDecorators<Ctx, Fn>({ provider: "p", streamFn: host })).toBe(host);
  });

  it("keeps the previous stream when a decorator declines", () => {
    withdrawals.push(publishStreamDecorator<Ctx, Fn>(AFFINITY_DECORATOR, () => undefined));
    expect(applyStreamDecorators<Ctx, Fn>({ provider: "p", streamFn: host })).toBe(host);
  });

  it("remembers which decorator produced a stream function", () => {
    const fn: Fn = (label) => label;
    expect(isDecorated(fn, "openclaw-taas-affinity")).toBe(false);
    expect(markDecorated(fn, "openclaw-taas-affinity")).toBe(fn);
    expect(isDecorated(fn, "openclaw-taas-affinity")).toBe(true);
    expect(isDecorated(host, "openclaw-taas-affinity")).toBe(false);
  });
});
