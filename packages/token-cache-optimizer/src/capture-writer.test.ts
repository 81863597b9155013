import type { RouteCapture } from "@cloudsigma/taas-core/contracts/route-store";
import { describe, expect, it } from "vitest";
import { CaptureWriter } from "./capture-writer.ts";

const capture = (n: number): RouteCapture => ({
  capturedAt: new Date(n).toISOString(),
  affinityId: "oc:0000000000000000",
  provider: "cloudsigma",
  model: "m",
  status: 200,
  autorouted: false,
  requestId: `req_${n}`,
});
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe("CaptureWriter", () => {
  it("writes off the caller's path, in one batch", async () => {
    const batches: number[] = [];
    const writer = new CaptureWriter({
      sink: () => ({ write: (batch) => void batches.push(batch.length) }),
      caps: { maxAffinityIds: 1, maxAgents: 1, maxCalls: 1 },
      warn: () => {},
    });
    writer.enqueue(capture(1));
    writer.enqueue(capture(2));
    expect(batches).toEqual([]);
    await tick();
    expect(batches).toEqual([2]);
    expect(writer.pendingCount).toBe(0);
  });

  it("keeps captures while the database is locked and retries, without warning for busy", async () => {
    let busy = 2;
    const written: string[] = [];
    const warnings: string[] = [];
    const writer = new CaptureWriter({
      sink: () => ({
        write: (batch) => {
          if (busy-- > 0) throw Object.assign(new Error("database is locked"), { errcode: 5 });
          written.push(...batch.map((c) => c.requestId ?? ""));
        },
      }),
      caps: { maxAffinityIds: 1, maxAgents: 1, maxCalls: 1 },
      warn: (message) => warnings.push(message),
      retryDelayMs: 5,
    });
    writer.enqueue(capture(1));
    await tick(60);
    expect(written).toEqual(["req_1"]);
    expect(warnings).toEqual([]);
  });

  it("warns once on other failures and drops the oldest past its bound", async () => {
    const warnings: string[] = [];
    const writer = new CaptureWriter({
      sink: () => ({
        write: () => {
          throw new Error("disk full");
        },
      }),
      caps: { maxAffinityIds: 1, maxAgents: 1, maxCalls: 1 },
      warn: (message) => warnings.push(message),
      maxPending: 3,
      retryDelayMs: 5,
    });
    for (let n = 1; n <= 5; n++) writer.enqueue(capture(n));
    await tick(40);
    expect(writer.pendingCount).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/disk full/);
  });
});
