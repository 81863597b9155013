import { describe, expect, it, vi } from "vitest";
import { processSlot, shutdownGroup } from "./process-scope.ts";

let unique = 0;
const name = (label: string) => `test.${label}.${++unique}`;

describe("process slots", () => {
  it("hand every module instance the same value for a key", async () => {
    const slotName = name("shared");
    const a = processSlot<{ id: number }>(slotName).obtain("/db", () => ({ id: Math.random() }));
    // A second evaluation of this module (as the host does per surface) sees the same object.
    vi.resetModules();
    const again = await import("./process-scope.ts");
    expect(again.processSlot).not.toBe(processSlot);
    expect(again.processSlot<{ id: number }>(slotName).obtain("/db", () => ({ id: -1 }))).toBe(a);
  });

  it("keeps values apart by key and by slot, and forgets on request", () => {
    const slot = processSlot<string>(name("keys"));
    const other = processSlot<string>(name("other"));
    expect(slot.obtain("a", () => "first a")).toBe("first a");
    expect(slot.obtain("b", () => "first b")).toBe("first b");
    expect(other.obtain("a", () => "other a")).toBe("other a");
    expect(slot.peek("a")).toBe("first a");
    slot.forget("a");
    expect(slot.peek("a")).toBeUndefined();
    expect(slot.obtain("a", () => "second a")).toBe("second a");
  });

  it("says once, naming the changed keys, when a later instance brings other settings", () => {
    const slot = processSlot<string>(name("settings"));
    const heard: string[] = [];
    const onConflict = (message: string) => heard.push(message);
    slot.obtain("/ledger.sqlite", () => "writer 1", { settings: { batchSize: 500, debug: false } });
    const same = slot.obtain("/ledger.sqlite", () => "writer 2", {
      settings: { batchSize: 500, debug: false },
      onConflict,
    });
    expect(same).toBe("writer 1");
    expect(heard).toEqual([]);
    for (let i = 0; i < 3; i++) {
      const value = slot.obtain("/ledger.sqlite", () => "writer 3", {
        settings: { batchSize: 10, debug: false },
        onConflict,
      });
      expect(value).toBe("writer 1");
    }
    expect(heard).toHaveLength(1);
    expect(heard[0]).toContain("/ledger.sqlite");
    expect(heard[0]).toContain("differs in batchSize");
    expect(heard[0]).toContain("first instance's settings stay in force");
  });
});

describe("shutdown groups", () => {
  it("run their own tasks in order, surviving a failing task", () => {
    const ran: string[] = [];
    const group = shutdownGroup(name("group"));
    const other = shutdownGroup(name("group"));
    group.add("b", () => ran.push("b"), 10);
    group.add(
      "boom",
      () => {
        throw new Error("boom");
      },
      5,
    );
    group.add("a", () => ran.push("a"), 0);
    other.add("x", () => ran.push("x"), 0);
    group.run();
    expect(ran).toEqual(["a", "b"]);
    other.remove("x");
    other.run();
    expect(ran).toEqual(["a", "b"]);
  });

  it("replace a task registered again under the same id", () => {
    const ran: string[] = [];
    const group = shutdownGroup(name("replace"));
    group.add("writer", () => ran.push("old"));
    group.add("writer", () => ran.push("new"));
    group.run();
    expect(ran).toEqual(["new"]);
  });
});
