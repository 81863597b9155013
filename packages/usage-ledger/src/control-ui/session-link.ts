import type { ControlUiHost } from "openclaw/plugin-sdk/control-ui";

/**
 * From an agent's row on the Token cache page to that agent's sessions in the Control UI: the
 * session list is scoped to the agent and its most recent session opens, through the host's
 * own operations (so the host keeps its routing, selection and permissions).
 */

/** How long the page waits for the host's session query before saying it has no answer. */
const SESSION_QUERY_MS = 10_000;

export type SessionOpenResult = "opened" | "no-sessions" | "unavailable";

export function openAgentSessions(
  host: Pick<ControlUiHost, "agents" | "sessions">,
  agentId: string,
  signal: AbortSignal,
): Promise<SessionOpenResult> {
  if (signal.aborted) return Promise.resolve("unavailable");
  host.agents.setScope(agentId);
  return new Promise((resolve) => {
    let settled = false;
    let query: { dispose: () => void } | undefined;
    const finish = (result: SessionOpenResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", aborted);
      // The first snapshot can arrive before observe() has returned the handle.
      queueMicrotask(() => query?.dispose());
      resolve(result);
    };
    const aborted = () => finish("unavailable");
    const timer = setTimeout(() => finish("unavailable"), SESSION_QUERY_MS);
    signal.addEventListener("abort", aborted, { once: true });
    query = host.sessions.observe({ agentId, limit: 1 }, ({ result, loading, error }) => {
      if (error) return finish("unavailable");
      if (loading || !result) return;
      const latest = result.sessions[0];
      if (!latest) return finish("no-sessions");
      // The row's own agent: a raw `global` key belongs to the agent it was queried for.
      host.sessions.open({ sessionKey: latest.key, agentId: latest.agentId ?? agentId });
      finish("opened");
    });
  });
}
