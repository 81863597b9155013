import { describe, expect, it } from "vitest";
import { createEmulator } from "./emulator.ts";
import { AGENT_ID_HEADER, extractAgentId, readIdentity } from "./identity.ts";
import { rendezvousIndex, replicaName } from "./routing.ts";
import { chatRequest, userMessage } from "./test-support.ts";
import type { EmulatorOptions, KeyOrder } from "./types.ts";

const header = { "x-session-id": "from-header" };
const body = {
  metadata: { session_id: "from-session", sticky_key: "from-sticky" },
  prompt_cache_key: "from-cache-key",
};

describe("readIdentity", () => {
  it.each<[KeyOrder, Record<string, unknown>, Record<string, string>, string | null]>([
    // TaaS's documented order: the header, then metadata.session_id, then metadata.sticky_key.
    ["documented", body, header, "from-header"],
    ["documented", body, {}, "from-session"],
    ["documented", { metadata: { sticky_key: "from-sticky" } }, {}, "from-sticky"],
    // prompt_cache_key is OpenAI's cache hint, not a TaaS affinity id.
    ["documented", { prompt_cache_key: "from-cache-key" }, {}, null],
    // The emulator's historic order reads the body first and prompt_cache_key last.
    ["emulator", body, header, "from-session"],
    ["emulator", { prompt_cache_key: "from-cache-key" }, {}, "from-cache-key"],
  ])("key order %s reads %j with headers %j as %s", (keyOrder, sent, headers, expected) => {
    const identity = readIdentity(sent, new Headers(headers), { keyOrder, requireAgentId: false });
    expect(identity.key).toBe(expected);
  });

  it("takes the agent id from its header, else from the correlation envelope", () => {
    const envelope = { metadata: { openclaw_correlation: { agent_id: "from-envelope" } } };
    expect(extractAgentId(envelope, new Headers({ [AGENT_ID_HEADER]: "from-header" }))).toBe(
      "from-header",
    );
    expect(extractAgentId(envelope, new Headers())).toBe("from-envelope");
    expect(extractAgentId({}, new Headers())).toBeNull();
  });

  it("trusts an id only with an agent id when the rule is on, and says why not otherwise", () => {
    const rule = { keyOrder: "documented" as const, requireAgentId: true };
    const alone = readIdentity({}, new Headers(header), rule);
    expect(alone).toEqual({
      key: null,
      source: null,
      agentId: null,
      fallbackReason: "missing_agent_and_session",
    });
    const withAgent = readIdentity({}, new Headers({ ...header, [AGENT_ID_HEADER]: "main" }), rule);
    expect(withAgent).toMatchObject({ key: "from-header", agentId: "main", fallbackReason: null });
    const legacy = readIdentity({}, new Headers(header), { ...rule, requireAgentId: false });
    expect(legacy).toMatchObject({ key: "from-header", fallbackReason: null });
    const none = readIdentity({}, new Headers(), { ...rule, requireAgentId: false });
    expect(none.fallbackReason).toBe("missing_agent_and_session");
  });
});

describe("identity through chat completions", () => {
  const chat = { model: "gpt-5.5", messages: [userMessage("hi")] };
  const replicas = 4;

  async function send(options: EmulatorOptions, headers: Record<string, string>, times: number) {
    const emulator = createEmulator({ replicas, ...options });
    for (let i = 0; i < times; i++) await emulator.handle(chatRequest(chat, headers));
    return emulator.requests();
  }

  it("with an agent id: external_id_new, then external_id, always the key's replica", async () => {
    const headers = { "x-session-id": "conv-1", [AGENT_ID_HEADER]: "main" };
    const records = await send({ requireAgentId: true }, headers, 3);
    expect(records.map((r) => r.matchReason)).toEqual([
      "external_id_new",
      "external_id",
      "external_id",
    ]);
    const home = replicaName(rendezvousIndex("conv-1", replicas));
    for (const record of records) {
      expect(record).toMatchObject({ routingKey: "conv-1", replica: home, agentId: "main" });
      expect(record).toMatchObject({ fallbackReason: null, matchConfidence: null });
    }
  });

  it("without an agent id: the id is discarded and every request is a new session", async () => {
    const records = await send({ requireAgentId: true }, { "x-session-id": "conv-1" }, 12);
    for (const record of records) {
      expect(record).toMatchObject({
        routingKey: null,
        matchReason: "new",
        fallbackReason: "missing_agent_and_session",
      });
    }
    // A fresh session per request lands on a random replica, not on the key's.
    expect(new Set(records.map((r) => r.replica)).size).toBeGreaterThan(1);
  });

  it("by default discards an id that comes without an agent id", async () => {
    const records = await send({}, { "x-session-id": "conv-1" }, 3);
    for (const record of records) {
      expect(record).toMatchObject({
        routingKey: null,
        fallbackReason: "missing_agent_and_session",
      });
    }
  });

  it("without requireAgentId honours any id, as the legacy emulator did", async () => {
    const records = await send({ requireAgentId: false }, { "x-session-id": "conv-1" }, 3);
    const home = replicaName(rendezvousIndex("conv-1", replicas));
    expect(records.map((r) => [r.routingKey, r.replica])).toEqual(
      Array.from({ length: 3 }, () => ["conv-1", home]),
    );
  });
});
