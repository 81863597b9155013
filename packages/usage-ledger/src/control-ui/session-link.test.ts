import type { ControlUiHost, ControlUiSessionListSnapshot } from "openclaw/plugin-sdk/control-ui";
import { describe, expect, it } from "vitest";
import { openAgentSessions } from "./session-link.ts";

type Listener = (snapshot: ControlUiSessionListSnapshot) => void;

/** The host operations the link uses, recording what the page asked of them. */
function fakeHost(answer: (listener: Listener) => void) {
  const calls: string[] = [];
  const host = {
    agents: { setScope: (id: string | null) => calls.push(`scope ${id}`) },
    sessions: {
      observe: (query: { agentId?: string; limit?: number }, listener: Listener) => {
        calls.push(`observe ${query.agentId} limit ${query.limit}`);
        answer(listener);
        return { refresh: async () => {}, dispose: () => calls.push("dispose") };
      },
      open: (s: { sessionKey: string; agentId?: string }) =>
        calls.push(`open ${s.sessionKey} as ${s.agentId}`),
    },
  } as unknown as Pick<ControlUiHost, "agents" | "sessions">;
  return { host, calls };
}

const session = (key: string, agentId?: string) => ({ key, kind: "direct", agentId }) as never;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("an agent row's sessions link", () => {
  it("scopes the host's session list to the agent and opens its latest session", async () => {
    const { host, calls } = fakeHost((listener) => {
      listener({ result: null, loading: true, error: null });
      setTimeout(() =>
        listener({
          result: { sessions: [session("agent:ops:main", "ops")] },
          loading: false,
          error: null,
        }),
      );
    });
    expect(await openAgentSessions(host, "ops", new AbortController().signal)).toBe("opened");
    await tick();
    expect(calls).toEqual([
      "scope ops",
      "observe ops limit 1",
      "open agent:ops:main as ops",
      "dispose",
    ]);
  });

  it("carries the queried agent for a row without one (a raw global key)", async () => {
    const { host, calls } = fakeHost((listener) =>
      listener({ result: { sessions: [session("global")] }, loading: false, error: null }),
    );
    expect(await openAgentSessions(host, "ops", new AbortController().signal)).toBe("opened");
    await tick();
    expect(calls).toContain("open global as ops");
    expect(calls.at(-1)).toBe("dispose");
  });

  it("says so when the agent has no session, or the host's query fails", async () => {
    const none = fakeHost((l) => l({ result: { sessions: [] }, loading: false, error: null }));
    expect(await openAgentSessions(none.host, "ops", new AbortController().signal)).toBe(
      "no-sessions",
    );
    const failed = fakeHost((l) => l({ result: null, loading: false, error: "offline" }));
    expect(await openAgentSessions(failed.host, "ops", new AbortController().signal)).toBe(
      "unavailable",
    );
    await tick();
    expect([...none.calls, ...failed.calls].some((c) => c.startsWith("open"))).toBe(false);
    expect(failed.calls.at(-1)).toBe("dispose");
  });

  it("does nothing for a page already gone", async () => {
    const { host, calls } = fakeHost(() => {});
    const gone = new AbortController();
    gone.abort();
    expect(await openAgentSessions(host, "ops", gone.signal)).toBe("unavailable");
    expect(calls).toEqual([]);
  });

  it("gives up when the page goes away before the host answers", async () => {
    const { host, calls } = fakeHost(() => {});
    const page = new AbortController();
    const opened = openAgentSessions(host, "ops", page.signal);
    page.abort();
    expect(await opened).toBe("unavailable");
    await tick();
    expect(calls.at(-1)).toBe("dispose");
  });
});
