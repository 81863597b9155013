import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import type { SystemEvents } from "./deps.ts";
import { agentIdOf } from "./session-keys.ts";

type RuntimeSystem = OpenClawPluginApi["runtime"]["system"];
/** The members used; `requestHeartbeat` is optional so an older host's lack of it is handled. */
export type HostSystem = Pick<RuntimeSystem, "enqueueSystemEvent" | "requestHeartbeatNow"> & {
  requestHeartbeat?: RuntimeSystem["requestHeartbeat"];
};

/**
 * The host's system events. The heartbeat uses `requestHeartbeat` (declaring source and intent,
 * the successor API); `requestHeartbeatNow`, deprecated, is used only on a host without it.
 */
export function hostSystemEvents(system: () => HostSystem): SystemEvents {
  return {
    enqueue(text, { sessionKey, contextKey }) {
      const agentId = agentIdOf(sessionKey);
      return system().enqueueSystemEvent(text, {
        sessionKey,
        contextKey,
        ...(agentId ? { agentId } : {}),
      });
    },
    requestHeartbeat({ sessionKey, reason }) {
      const host = system();
      const agentId = agentIdOf(sessionKey);
      const target = { reason, sessionKey, ...(agentId ? { agentId } : {}) };
      if (typeof host.requestHeartbeat === "function") {
        host.requestHeartbeat({ source: "hook", intent: "event", ...target });
      } else {
        host.requestHeartbeatNow(target);
      }
    },
  };
}
