import { afterEach, describe, expect, it, vi } from "vitest";
import {
  forgetProcessSingleton,
  onShutdown,
  processSingleton,
  removeShutdownTask,
  runShutdown,
} from "./process-scope.ts";

const keys: string[] = [];
afterEach(() => {
  for (const key of keys.splice(0)) {
    forgetProcessSingleton(key);
    removeShutdownTask(key);
  }
});

describe("process scope", () => {
  it("hands every module instance the same singleton", async () => {
    keys.push("test:singleton");
    const a = processSingleton("test:singleton", () => ({ id: Math.random() }));
    // A second evaluation of this module (as the host does per surface) sees the same object.
    vi.resetModules();
    const again = await import("./process-scope.ts");
    expect(again.processSingleton).not.toBe(processSingleton);
    expect(again.processSingleton("test:singleton", () => ({ id: -1 }))).toBe(a);
  });

  it("runs shutdown tasks by prefix in order, surviving a failing task", () => {
    const ran: string[] = [];
    keys.push("test:b", "test:a", "test:boom", "other:x");
    onShutdown("test:b", () => ran.push("b"), 10);
    onShutdown(
      "test:boom",
      () => {
        throw new Error("boom");
      },
      5,
    );
    onShutdown("test:a", () => ran.push("a"), 0);
    onShutdown("other:x", () => ran.push("x"), 0);
    runShutdown("test:");
    expect(ran).toEqual(["a", "b"]);
  });
});
