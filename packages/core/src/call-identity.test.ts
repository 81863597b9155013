import { describe, expect, it } from "vitest";
import { callAgentId, pinnedSessionId } from "./call-identity.ts";

type CallAgent = ReturnType<typeof callAgentId>;
/** The host's own default agent id. */
const DEFAULT_AGENT_ID = "main";

const entries = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, {}]));

describe("callAgentId: every call names an agent", () => {
  it.each<[string, string | undefined, unknown, CallAgent]>([
    [
      "the host's agent wins over any config",
      "work",
      { agents: { defaults: { systemAgent: { agentId: "ops" } } } },
      { id: "work", source: "host" },
    ],
    ["a host agent id is made header-safe", "w\u00f6rk\r\n", {}, { id: "wrk", source: "host" }],
    [
      "a host agent id with nothing header-safe left falls to the config",
      "\u00e9\u00e9",
      { agents: { entries: entries("solo") } },
      { id: "solo", source: "config" },
    ],
    [
      "the configured system agent owns agentless work",
      undefined,
      { agents: { defaults: { systemAgent: { agentId: " Ops " } }, entries: entries("a", "b") } },
      { id: "ops", source: "config" },
    ],
    [
      "the one agent marked default",
      undefined,
      { agents: { list: [{ id: "a" }, { id: "B", default: true }] } },
      { id: "b", source: "config" },
    ],
    [
      "an explicit fleet ignores the legacy default marker",
      undefined,
      { agents: { ownership: "explicit", list: [{ id: "a" }, { id: "b", default: true }] } },
      { id: DEFAULT_AGENT_ID, source: "default" },
    ],
    [
      "two agents marked default name no owner",
      undefined,
      {
        agents: {
          list: [
            { id: "a", default: true },
            { id: "b", default: true },
          ],
        },
      },
      { id: DEFAULT_AGENT_ID, source: "default" },
    ],
    [
      "the only agent configured, in the host's canonical form",
      undefined,
      { agents: { entries: entries("Research Bot") } },
      { id: "research-bot", source: "config" },
    ],
    [
      "one agent listed twice is still one agent",
      undefined,
      { agents: { list: [{ id: "solo" }, { id: "SOLO" }] } },
      { id: "solo", source: "config" },
    ],
    [
      "several agents and no owner: the host's default id",
      undefined,
      { agents: { entries: entries("main", "second") } },
      { id: DEFAULT_AGENT_ID, source: "default" },
    ],
    ["no agents configured", undefined, {}, { id: DEFAULT_AGENT_ID, source: "default" }],
    ["no config at all", undefined, undefined, { id: DEFAULT_AGENT_ID, source: "default" }],
    [
      "a config of the wrong shape",
      undefined,
      { agents: { entries: ["a"], defaults: { systemAgent: "ops" } } },
      { id: DEFAULT_AGENT_ID, source: "default" },
    ],
    [
      "an unrepresentable system agent id is skipped",
      undefined,
      { agents: { defaults: { systemAgent: { agentId: "!!" } }, entries: entries("solo") } },
      { id: "solo", source: "config" },
    ],
  ])("%s", (_label, hostAgentId, config, expected) => {
    expect(callAgentId(hostAgentId, config)).toEqual(expected);
  });

  it("keeps the host's 64-character limit for an id read from the config", () => {
    const long = `${"x".repeat(70)}!`;
    const { id } = callAgentId(undefined, { agents: { entries: entries(long) } });
    expect(id).toBe("x".repeat(64));
  });
});

describe("pinnedSessionId: a caller's own id, made header-safe", () => {
  it.each<[string, unknown, string | undefined]>([
    ["session_id", { session_id: "team-a/run-42" }, "team-a/run-42"],
    ["session_id over sticky_key", { session_id: "s", sticky_key: "k" }, "s"],
    ["sticky_key alone", { sticky_key: "sticky-7" }, "sticky-7"],
    ["non-ASCII dropped", { session_id: "sessi\u00f3n-\u00fc-9" }, "sessin--9"],
    ["nothing usable in session_id: sticky_key", { session_id: "\u00e9", sticky_key: "k" }, "k"],
    ["at most 128 characters", { session_id: "x".repeat(300) }, "x".repeat(128)],
    ["a number", { session_id: 42 }, "42"],
    ["no pin", {}, undefined],
    ["not an object", "session", undefined],
  ])("%s", (_label, metadata, expected) => {
    expect(pinnedSessionId(metadata)).toBe(expected);
  });
});
