import { describe, expect, it } from "vitest";
import { createEmulator } from "./emulator.ts";
import { DOCUMENTED_REQUESTS_PER_MINUTE } from "./profiles.ts";
import { rendezvousRanking, replicaName } from "./routing.ts";
import { chatRequest, userMessage } from "./test-support.ts";
import type { EmulatorOptions } from "./types.ts";

const replicas = 4;
const KEY = "conv-slots";
const [home = 0, second = 1] = rendezvousRanking(KEY, replicas);
/** The session id with the agent id TaaS needs to honour it. */
const HEADERS = { "x-session-id": KEY, "x-openclaw-agent-id": "main" };

function slots(options: EmulatorOptions) {
  const clock = { now: 1_000_000 };
  const emulator = createEmulator({ replicas, now: () => clock.now, ...options });
  const send = async (text = "hi") => {
    const body = { model: "gpt-5.5", messages: [userMessage(text)] };
    const response = await emulator.handle(chatRequest(body, HEADERS));
    expect(response.status).toBe(200);
    return emulator.requests().at(-1);
  };
  return { emulator, clock, send };
}

describe("affinity binding", () => {
  it("stored (default): a binding moves when its replica is drained and stays where it moved", async () => {
    const { emulator, send } = slots({});
    expect((await send())?.replica).toBe(replicaName(home));
    emulator.drain([replicaName(home)]);
    expect((await send())?.replica).toBe(replicaName(second));
    emulator.drain([]);
    expect((await send())?.replica).toBe(replicaName(second));
  });

  it("hash (legacy): the key returns to its first choice once it is back", async () => {
    const { emulator, send } = slots({ affinityBinding: "hash" });
    emulator.drain([replicaName(home)]);
    expect((await send())?.replica).toBe(replicaName(second));
    emulator.drain([]);
    expect((await send())?.replica).toBe(replicaName(home));
  });
});

describe("slot capacity", () => {
  it("spills a request past the per-minute limit to the key's next replica, and says so", async () => {
    const perMinute = 2;
    const { clock, send } = slots({
      slotRequestsPerMinute: perMinute,
      slotOverflow: "spill",
      affinityBinding: "hash",
    });
    for (let i = 0; i < perMinute; i++) {
      expect(await send()).toMatchObject({ replica: replicaName(home), spilledFrom: null });
    }
    expect(await send()).toMatchObject({
      replica: replicaName(second),
      spilledFrom: replicaName(home),
    });
    clock.now += 60_000;
    expect(await send()).toMatchObject({ replica: replicaName(home), spilledFrom: null });
  });

  it("stored binding follows a spill", async () => {
    const { clock, send } = slots({ slotRequestsPerMinute: 1 });
    await send();
    expect((await send())?.spilledFrom).toBe(replicaName(home));
    clock.now += 60_000;
    expect(await send()).toMatchObject({ replica: replicaName(second), spilledFrom: null });
  });

  it("queues a request past the per-minute limit until the minute frees, when told to wait", async () => {
    const { clock, send } = slots({ slotRequestsPerMinute: 1, slotOverflow: "wait" });
    await send();
    let done = false;
    const waiting = send().then((record) => {
      done = true;
      return record;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(done).toBe(false);
    clock.now += 60_000;
    expect(await waiting).toMatchObject({ replica: replicaName(home), waitedMs: 60_000 });
  });

  it("counts concurrent requests: a second one waits for the first to finish", async () => {
    const holdMs = 150;
    const emulator = createEmulator({ replicas, slotMaxConcurrent: 1, slotOverflow: "wait" });
    const body = (text: string) => ({ model: "gpt-5.5", messages: [userMessage(text)] });
    const first = emulator.handle(chatRequest(body(`hold [[latency:${holdMs}]]`), HEADERS));
    const next = emulator.handle(chatRequest(body("next"), HEADERS));
    await Promise.all([first, next]);
    const [held, queued] = emulator.requests();
    expect(held?.waitedMs).toBe(0);
    // The clock is real here; timers may fire a little early, so allow a few milliseconds.
    expect(queued?.waitedMs).toBeGreaterThanOrEqual(holdMs - 10);
    expect(queued?.replica).toBe(held?.replica);
  });

  it("admits the documented requests per minute by default, then spills", async () => {
    const { send } = slots({});
    for (let i = 0; i < DOCUMENTED_REQUESTS_PER_MINUTE; i++) {
      expect(await send()).toMatchObject({ replica: replicaName(home), spilledFrom: null });
    }
    expect(await send()).toMatchObject({
      replica: replicaName(second),
      spilledFrom: replicaName(home),
    });
  });

  it("has no limit when both limits are 0 (legacy)", async () => {
    const { send } = slots({ slotRequestsPerMinute: 0, slotMaxConcurrent: 0 });
    for (let i = 0; i < 2 * DOCUMENTED_REQUESTS_PER_MINUTE; i++) {
      expect(await send()).toMatchObject({ replica: replicaName(home), spilledFrom: null });
    }
  });
});
