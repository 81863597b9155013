import { describe, expect, it } from "vitest";
import { createEmulator } from "./emulator.ts";
import {
  NEW_SESSION_CONFIDENCE,
  STRUCTURAL_CONFIDENCE,
  TOOL_CHAIN_CONFIDENCE,
} from "./keyless-continuity.ts";
import { PromptTokenizer } from "./prompt-tokens.ts";
import { Router, type RoutingDecision } from "./routing.ts";
import { chatRequest, firstChoice, userMessage } from "./test-support.ts";

type Message = Record<string, unknown> & { role: string };

const replicas = 4;
const system = { role: "system", content: "You are a helpful agent." };
const answer = (text: string): Message => ({ role: "assistant", content: text });

function continuityEmulator(seed = 1) {
  const emulator = createEmulator({ replicas, keylessRouting: "continuity", keylessSeed: seed });
  const send = async (messages: Message[], extra: Record<string, unknown> = {}) => {
    const response = await emulator.handle(chatRequest({ model: "gpt-5.5", messages, ...extra }));
    expect(response.status).toBe(200);
    const record = emulator.requests().at(-1);
    if (record === undefined) throw new Error("no record for the request");
    return { json: (await response.json()) as Record<string, unknown>, record };
  };
  return { emulator, send };
}

/** Share of `pairs` (first turn, follow-up) where the follow-up was recognised structurally. */
function structuralShare(pairs: readonly [RoutingDecision, RoutingDecision][]): number {
  const recognised = pairs.filter(([first, next]) => {
    if (next.matchReason !== "structural") return false;
    expect(next.index).toBe(first.index);
    return true;
  });
  return recognised.length / pairs.length;
}

describe("keyless continuity", () => {
  it("starts a conversation as a new session", async () => {
    const { send } = continuityEmulator();
    const { record } = await send([system, userMessage("hello")]);
    expect(record).toMatchObject({
      matchReason: "new",
      matchConfidence: NEW_SESSION_CONFIDENCE,
      routingSource: "continuity",
    });
  });

  it("keeps a tool-result follow-up on the replica that made the calls (confidence 1.0)", async () => {
    const { send } = continuityEmulator();
    const tools = [{ type: "function", function: { name: "read", parameters: {} } }];
    for (let n = 0; n < 20; n++) {
      const ask = userMessage(`conversation ${n} [[tool:read {"path":"a"}]]`);
      const first = await send([system, ask], { tools });
      const call = firstChoice(first.json).message.tool_calls?.[0];
      if (call === undefined) throw new Error("the trigger made no tool call");
      const calling = { role: "assistant", content: null, tool_calls: [call] };
      const result = { role: "tool", tool_call_id: call.id, content: "file body" };
      const next = await send([system, ask, calling, result], { tools });
      expect(next.record).toMatchObject({
        matchReason: "tool_chain",
        matchConfidence: TOOL_CHAIN_CONFIDENCE,
        replica: first.record.replica,
      });
    }
  });

  it("recognises a conversation mid-way with the documented 0.85, early on with 0.30", () => {
    const conversations = 400;
    const router = new Router({ replicas, keylessRouting: "continuity", keylessSeed: 7 });
    const tokenizer = new PromptTokenizer();
    const route = (messages: Message[]) => {
      const prompt = {
        messages,
        segmentIds: tokenizer.tokenizePrompt([], messages).segmentIds,
        toolCount: 0,
      };
      const decision = router.route({}, new Headers(), prompt);
      router.settle(decision, decision.index, prompt);
      return decision;
    };
    const early: [RoutingDecision, RoutingDecision][] = [];
    const mid: [RoutingDecision, RoutingDecision][] = [];
    for (let n = 0; n < conversations; n++) {
      const opening = [system, userMessage(`question ${n}`)];
      const first = route(opening);
      const second = route([...opening, answer("a1"), userMessage("more")]);
      early.push([first, second]);
      const later = [
        ...opening,
        answer("a1"),
        userMessage("more"),
        answer("a2"),
        userMessage("go"),
      ];
      mid.push([second, route(later)]);
    }
    // Binomial spread at n = 400 is under 0.025 either way; allow twice to three times that.
    expect(Math.abs(structuralShare(early) - NEW_SESSION_CONFIDENCE)).toBeLessThan(0.05);
    expect(Math.abs(structuralShare(mid) - STRUCTURAL_CONFIDENCE)).toBeLessThan(0.075);
    for (const [, next] of early) expect(next.matchConfidence).toBe(NEW_SESSION_CONFIDENCE);
    for (const [, next] of mid) {
      const expected = next.matchReason === "new" ? NEW_SESSION_CONFIDENCE : STRUCTURAL_CONFIDENCE;
      expect(next.matchConfidence).toBe(expected);
    }
  });

  it("replays the same guesses for the same seed", async () => {
    const run = async () => {
      const { send } = continuityEmulator(3);
      const replicasSeen: (string | null)[] = [];
      for (let n = 0; n < 30; n++) {
        const opening = [system, userMessage(`q${n}`)];
        await send(opening);
        const turns = [...opening, answer("a"), userMessage("b"), answer("c"), userMessage("d")];
        replicasSeen.push((await send(turns)).record.replica);
      }
      return replicasSeen;
    };
    expect(await run()).toEqual(await run());
  });
});
