import type { RouteCapture, RouteScope } from "@cloudsigma/taas-core/contracts/route-store";
import { describe, expect, it } from "vitest";
import { workspaceIdentity } from "./affinity-id.ts";
import {
  answerLastRoute,
  createLastRouteHandler,
  parseLastRouteParams,
} from "./last-route-method.ts";
import { TEST_ID_KEY } from "./stream-wrapper.test-support.ts";

const route: RouteCapture = {
  capturedAt: "t",
  affinityId: "oc:0123456789abcdef",
  agentId: "main",
  provider: "cloudsigma",
  model: "auto",
  status: 200,
  autorouted: true,
};

describe("taas.autorouter.lastRoute params", () => {
  it.each([
    [{ agentId: "main" }, { by: "agentId", agentId: "main" }],
    [{ sessionId: "oc:0123456789abcdef" }, { by: "sessionId", affinityId: "oc:0123456789abcdef" }],
    [
      { workspaceDir: "/home/u/openclaw-home/workspace-x" },
      {
        by: "workspaceDir",
        affinityId: workspaceIdentity(TEST_ID_KEY, "/home/u/openclaw-home/workspace-x").id,
      },
    ],
  ])("accepts %j", (params, expected) => {
    expect(parseLastRouteParams(params, () => TEST_ID_KEY)).toEqual(expected);
  });

  it.each([
    [undefined, /exactly one of .*got no params/],
    [{}, /got none/],
    [{ agentId: "a", sessionId: "oc:0123456789abcdef" }, /got agentId and sessionId/],
    [{ sessionKey: "agent:main:main" }, /unknown param\(s\): sessionKey/],
    [{ agentId: "" }, /"agentId" must be a non-empty string/],
    [{ agentId: 5 }, /"agentId" must be a non-empty string/],
    [{ agentId: "a b" }, /"agentId" must be 1-128 characters/],
    [
      { sessionId: "sesi\u00f3n\r\n" },
      /"sessionId" must look like oc:<16 hex>.*or be the id a caller pinned/,
    ],
  ])("rejects %j clearly", (params, message) => {
    const parsed = parseLastRouteParams(params, () => TEST_ID_KEY);
    expect("error" in parsed && parsed.error).toMatch(message);
  });
});

describe("taas.autorouter.lastRoute: an over-long value is named too long, with the limit", () => {
  it.each<[string, Record<string, string>, string]>([
    [
      "a 5003-character sessionId",
      { sessionId: `oc:${"0".repeat(5000)}` },
      '"sessionId" is too long (5003 characters; at most 128)',
    ],
    [
      "a sessionId one past the pin limit",
      { sessionId: `oc:${"a".repeat(126)}` },
      '"sessionId" is too long (129 characters; at most 128)',
    ],
    [
      "a 129-character agentId",
      { agentId: "a".repeat(129) },
      '"agentId" is too long (129 characters; at most 128)',
    ],
    [
      "a 4097-character workspaceDir",
      { workspaceDir: `/${"d".repeat(4096)}` },
      '"workspaceDir" is too long (4097 characters; at most 4096)',
    ],
  ])("%s", (_label, params, message) => {
    expect(parseLastRouteParams(params, () => TEST_ID_KEY)).toEqual({
      error: `taas.autorouter.lastRoute: ${message}`,
    });
  });
});

describe("answers", () => {
  const reader = {
    latest: (scope: RouteScope, key: string) =>
      (scope === "agent" && key === "main") || key === route.affinityId ? route : undefined,
  };

  it("returns the capture when there is one, its affinity id named sessionId as published", () => {
    const { affinityId, ...rest } = route;
    const published = { ...rest, sessionId: affinityId };
    expect(answerLastRoute({ by: "agentId", agentId: "main" }, reader)).toEqual({
      found: true,
      query: { agentId: "main" },
      route: published,
    });
    expect(answerLastRoute({ by: "sessionId", affinityId }, reader)).toEqual({
      found: true,
      query: { by: "sessionId", sessionId: affinityId },
      route: published,
    });
  });

  it("says so, normally, when nothing was captured", () => {
    expect(answerLastRoute({ by: "agentId", agentId: "other" }, reader)).toEqual({
      found: false,
      query: { agentId: "other" },
      message: 'No TaaS route captured yet for agent "other".',
    });
    expect(
      answerLastRoute({ by: "sessionId", affinityId: "oc:ffffffffffffffff" }, undefined).found,
    ).toBe(false);
  });

  it("the handler responds ok or a clear INVALID_REQUEST error", () => {
    const answers: unknown[][] = [];
    const handler = createLastRouteHandler(
      () => reader,
      () => TEST_ID_KEY,
    );
    const respond = (...args: unknown[]) => void answers.push(args);
    const invoke = (params: Record<string, unknown>) =>
      handler({ params, respond } as unknown as Parameters<typeof handler>[0]);
    invoke({ agentId: "main" });
    invoke({});
    expect(answers[0]?.[0]).toBe(true);
    expect(answers[1]?.[0]).toBe(false);
    expect(answers[1]?.[2]).toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining("taas.autorouter.lastRoute"),
    });
  });
});
