import { describe, expect, it } from "vitest";
import {
  deriveAffinityIdentity,
  hostSessionIdentity,
  isAffinityId,
  workspaceIdentity,
} from "./affinity-id.ts";
import { TEST_ID_KEY } from "./stream-wrapper.test-support.ts";

describe("deriveAffinityIdentity", () => {
  const all = {
    OPENCLAW_SESSION_ID: "sess",
    OPENCLAW_AGENT_ID: "agent",
    OPENCLAW_RUN_ID: "run",
  };
  it.each([
    ["workspace first", { workspaceDir: "/ws", env: all }, "workspace"],
    ["then OPENCLAW_SESSION_ID", { env: all }, "env-session"],
    [
      "then OPENCLAW_AGENT_ID",
      { env: { OPENCLAW_AGENT_ID: "a", OPENCLAW_RUN_ID: "r" } },
      "env-agent",
    ],
    ["then OPENCLAW_RUN_ID", { env: { OPENCLAW_RUN_ID: "r" } }, "env-run"],
    ["then the state dir", { env: {} }, "state-dir"],
    [
      "blank values are skipped",
      { workspaceDir: "  ", env: { OPENCLAW_SESSION_ID: " ", OPENCLAW_RUN_ID: "r" } },
      "env-run",
    ],
  ])("%s", (_label, inputs, source) => {
    const identity = deriveAffinityIdentity({ key: TEST_ID_KEY, stateDir: "/state", ...inputs });
    expect(identity.source).toBe(source);
    expect(isAffinityId(identity.id)).toBe(true);
    expect(identity.sourceHint).toMatch(/^source:[0-9a-f]{16}$/);
  });

  it("is stable across calls and processes (pure function of the source)", () => {
    const a = deriveAffinityIdentity({
      key: TEST_ID_KEY,
      workspaceDir: "/home/u/openclaw-home/workspace-x",
      env: {},
      stateDir: "/s",
    });
    const b = deriveAffinityIdentity({
      key: TEST_ID_KEY,
      workspaceDir: "/home/u/openclaw-home/workspace-x/",
      env: { OPENCLAW_SESSION_ID: "other" },
      stateDir: "/t",
    });
    expect(a).toEqual(b);
    expect(a).toEqual(workspaceIdentity(TEST_ID_KEY, "/home/u/openclaw-home/./workspace-x"));
  });

  it("separates tiers, so the same string in two tiers gives two ids", () => {
    const fromEnv = deriveAffinityIdentity({
      key: TEST_ID_KEY,
      env: { OPENCLAW_SESSION_ID: "/x" },
      stateDir: "/s",
    });
    const fromWorkspace = workspaceIdentity(TEST_ID_KEY, "/x");
    expect(fromEnv.id).not.toBe(fromWorkspace.id);
    expect(fromEnv.sourceHint).not.toBe(fromWorkspace.sourceHint);
    expect(hostSessionIdentity(TEST_ID_KEY, "s1").id).not.toBe(
      hostSessionIdentity(TEST_ID_KEY, "s2").id,
    );
  });

  it.each([
    ["oc:0123456789abcdef", true],
    ["oc:0123456789ABCDEF", false],
    ["oc:123", false],
    ["x", false],
    [7, false],
  ])("isAffinityId(%j) = %j", (value, expected) => expect(isAffinityId(value)).toBe(expected));
});
