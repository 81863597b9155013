import { describe, expect, it } from "vitest";
import {
  assistant,
  cacheable,
  conversation,
  keyed,
  type Message,
  MIN,
  type Prompt,
  type Scene,
  STEP,
  scene,
  sharedCacheable,
  system,
  TTL,
  tool,
  truthOf,
} from "./cache-cause.test-support.ts";
import { type CacheCause, ledgerCauseOf } from "./cache-cause.ts";
import { userMessage } from "./test-support.ts";
import type { EmulatorOptions } from "./types.ts";

const rewritten = [...conversation.slice(0, 2), assistant("b"), ...conversation.slice(3)];
const other = [system("o"), ...conversation.slice(1), assistant("more"), userMessage("and more")];
const developer = { role: "developer", content: "be brief" };
const boundariesOf = (messages: Message[]) => (cacheable(messages) - MIN) / STEP + 1;

/**
 * Sends `before`, then `after` in the same conversation (keyed unless `key` is null); what the
 * two share is the ideal, and the replica, holding it, serves exactly that.
 */
function edit(before: Prompt, after: Prompt, key: string | null = "c") {
  const extra = (prompt: Prompt) => ({
    ...(key === null ? {} : keyed(key)),
    ...(prompt.tools === undefined ? {} : { tools: prompt.tools }),
  });
  return async (s: Scene) => {
    await s.send([...before.messages], extra(before));
    const response = await s.send([...after.messages], extra(after));
    const ideal = sharedCacheable(before, after);
    return { response, ideal, cached: ideal };
  };
}

interface Case {
  name: string;
  cause: CacheCause;
  at?: string;
  /** Sends the requests; the last response is the one judged. Returns the expected ideal. */
  run(s: Scene): Promise<{ response: Response; ideal: number; cached?: number }>;
  options?: EmulatorOptions;
}

const cases: Case[] = [
  {
    name: "the first request of a keyed conversation",
    cause: "cold",
    run: async (s) => ({ response: await s.send(conversation, keyed("c")), ideal: 0 }),
  },
  {
    name: "a keyless prompt whose prefix nobody sent",
    cause: "cold",
    run: async (s) => {
      await s.send([system("other"), userMessage("x")]);
      return { response: await s.send(conversation), ideal: 0 };
    },
  },
  {
    name: "a repeated keyed prompt under the minimum",
    cause: "below_minimum",
    run: async (s) => {
      await s.send([userMessage("short")], keyed("c"));
      return { response: await s.send([userMessage("short")], keyed("c")), ideal: 0 };
    },
  },
  {
    name: "a keyless prompt under the minimum, first or not",
    cause: "below_minimum",
    run: async (s) => ({ response: await s.send([userMessage("short")]), ideal: 0 }),
  },
  {
    name: "a keyed conversation whose earlier prompt was under the minimum",
    cause: "below_minimum",
    run: async (s) => {
      await s.send([userMessage("short")], keyed("c"));
      return { response: await s.send(conversation, keyed("c")), ideal: 0 };
    },
  },
  {
    name: "a conversation that grows by appending, on its replica",
    cause: "none",
    run: async (s) => {
      const first = conversation.slice(0, 2);
      await s.send(first, keyed("c"));
      return { response: await s.send(conversation, keyed("c")), ideal: cacheable(first) };
    },
  },
  {
    name: "the same prompt again after the TTL",
    cause: "expired",
    run: async (s) => {
      await s.send(conversation, keyed("c"));
      s.clock.now += TTL;
      return { response: await s.send(conversation, keyed("c")), ideal: cacheable(conversation) };
    },
  },
  {
    name: "the same prompt after another conversation filled the replica",
    cause: "evicted",
    // Room for exactly one conversation's boundaries; the other one's push them all out.
    options: { replicas: 1, cacheCapacityBlocks: boundariesOf(conversation) },
    run: async (s) => {
      expect(boundariesOf(other)).toBeGreaterThanOrEqual(boundariesOf(conversation));
      await s.send(conversation, keyed("c"));
      await s.send(other, keyed("d"));
      return { response: await s.send(conversation, keyed("c")), ideal: cacheable(conversation) };
    },
  },
  {
    name: "a keyless repeat routed to the other replica",
    cause: "other_replica",
    options: { replicas: 2, keylessRouting: "round-robin" },
    run: async (s) => {
      await s.send(conversation);
      return { response: await s.send(conversation), ideal: cacheable(conversation) };
    },
  },
  {
    name: "a keyless repeat on another replica once the only copy expired",
    cause: "expired",
    options: { replicas: 2, keylessRouting: "round-robin" },
    run: async (s) => {
      await s.send(conversation);
      s.clock.now += TTL;
      return { response: await s.send(conversation), ideal: cacheable(conversation) };
    },
  },
  {
    name: "a keyless repeat on another replica once the first one evicted it",
    cause: "evicted",
    options: {
      replicas: 2,
      keylessRouting: "round-robin",
      cacheCapacityBlocks: boundariesOf(conversation),
    },
    run: async (s) => {
      await s.send(conversation); // replica-1
      await s.send(other); // replica-2
      await s.send(other); // replica-1, which evicts the conversation
      return { response: await s.send(conversation), ideal: cacheable(conversation) };
    },
  },
  {
    name: "changed tools",
    cause: "diverged",
    at: "tools",
    run: edit(
      { messages: conversation, tools: [tool("reads a file")] },
      { messages: conversation, tools: [tool("reads")] },
    ),
  },
  {
    name: "a changed system prompt",
    cause: "diverged",
    at: "system",
    run: edit({ messages: conversation }, { messages: [system("t"), ...conversation.slice(1)] }),
  },
  {
    name: "an inserted developer message after the system prompt",
    cause: "diverged",
    at: "system",
    run: edit(
      { messages: conversation },
      { messages: [system(), developer, ...conversation.slice(1)] },
    ),
  },
  {
    name: "an earlier reply rewritten (message 2)",
    cause: "diverged",
    at: "history:2",
    run: edit({ messages: conversation }, { messages: rewritten }),
  },
  {
    name: "a keyless prompt that rewrites the history of the one it extends",
    cause: "diverged",
    at: "history:2",
    options: { replicas: 1 },
    run: edit({ messages: conversation }, { messages: rewritten }, null),
  },
];

describe("cache cause through chat completions", () => {
  it.each(cases)("$name: $cause $at", async ({ run, cause, at, options }) => {
    const s = scene(options);
    const { response, ideal, cached } = await run(s);
    const truth = await truthOf(s, response);
    expect(truth).toMatchObject({ cause, at: at ?? null, idealCachedTokens: ideal });
    if (cached !== undefined) expect(truth.cached).toBe(cached);
    if (cause === "none") expect(truth.cached).toBeGreaterThanOrEqual(ideal);
    if (["expired", "evicted", "other_replica"].includes(cause)) {
      expect(truth.cached).toBeLessThan(ideal);
    }
  });
});

describe("ledgerCauseOf", () => {
  it.each([
    [{ cause: "none", at: null }, "none"],
    [{ cause: "cold", at: null }, "cold"],
    [{ cause: "below_minimum", at: null }, "below_minimum"],
    [{ cause: "expired", at: null }, "ttl_expired"],
    [{ cause: "evicted", at: null }, "upstream"],
    [{ cause: "other_replica", at: null }, "replica_switch"],
    [{ cause: "diverged", at: "tools" }, "prefix_tools"],
    [{ cause: "diverged", at: "system" }, "prefix_system"],
    [{ cause: "diverged", at: "history:4" }, "prefix_history"],
    [{ cause: "plateau", at: null }, "plateau"],
    [{ cause: "not_ready", at: null }, "not_ready"],
    [{ cause: "spilled", at: null }, "replica_switch"],
    [{ cause: "other_model", at: null }, "cold"],
  ] as const)("maps %j to %s", (truth, ledger) => {
    expect(ledgerCauseOf(truth)).toBe(ledger);
  });

  it.each([
    ["evicted", "upstream"],
    ["other_replica", "replica_switch"],
    ["spilled", "replica_switch"],
  ] as const)("says %s is replica_unreported when no replica is named", (cause, named) => {
    expect(ledgerCauseOf({ cause, at: null }, { upstreamHeader: true })).toBe(named);
    expect(ledgerCauseOf({ cause, at: null }, { upstreamHeader: false })).toBe(
      "replica_unreported",
    );
  });
});
