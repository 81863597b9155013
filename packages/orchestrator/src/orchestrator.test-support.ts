import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQLOutputValue } from "node:sqlite";
import { readRows } from "../../../test-support/sqlite-rows.ts";
import { parseOrchestratorSettings } from "./config.ts";
import type { OrchestratorDeps, SystemEvents } from "./deps.ts";
import { onSubagentEnded } from "./retry.ts";
import { onSubagentSpawned } from "./spawn-tracking.ts";
import { onBeforeToolCall } from "./tool-policy.ts";
import { TrackingStore } from "./tracking-store.ts";

export const MAIN = "agent:main:main";

interface Recorded {
  events: Array<{ text: string; sessionKey: string; contextKey: string }>;
  heartbeats: Array<{ sessionKey: string; reason: string }>;
  logs: string[];
}

export interface Fixture {
  deps: OrchestratorDeps;
  recorded: Recorded;
  clock: { value: number; advance(ms: number): void };
  /** The SQLite file, for a test that opens a second connection (another process). */
  path: string;
  rows(sql: string, ...params: Array<string | number>): Array<Record<string, SQLOutputValue>>;
  /** Same file, new connection: what a restarted gateway sees. */
  reopen(): void;
  /** Makes the host refuse (false) or accept (true) system events. */
  acceptEvents(accept: boolean): void;
  cleanup(): void;
}

/** Deps over a real SQLite file in a temp dir, a manual clock and a recording host. */
export function makeFixture(config: Record<string, unknown> = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "orchestrator-"));
  const path = join(dir, "orchestrator.sqlite");
  let store = TrackingStore.open(path);
  const recorded: Recorded = { events: [], heartbeats: [], logs: [] };
  let accept = true;
  const clock = {
    value: Date.UTC(2026, 0, 1, 9),
    advance(ms: number) {
      clock.value += ms;
    },
  };
  const system: SystemEvents = {
    enqueue(text, options) {
      if (!accept) return false;
      recorded.events.push({ text, ...options });
      return true;
    },
    requestHeartbeat(options) {
      recorded.heartbeats.push(options);
    },
  };
  const log = (level: string) => (message: string) => recorded.logs.push(`${level} ${message}`);
  const deps: OrchestratorDeps = {
    settings: parseOrchestratorSettings(config),
    store: () => store,
    now: () => clock.value,
    logger: { info: log("info"), warn: log("warn"), error: log("error") },
    system,
  };
  return {
    deps,
    recorded,
    clock,
    path,
    rows: (sql, ...params) => readRows(path, sql, ...params),
    reopen() {
      store.close();
      store = TrackingStore.open(path);
    },
    acceptEvents(value) {
      accept = value;
    },
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let children = 0;
/** One spawn from `requester` with these params, reported by the host; returns the child key. */
export function spawnChild(
  fixture: Fixture,
  requester: string,
  params: Record<string, unknown>,
): string {
  const child = `agent:main:subagent:child-${++children}`;
  const planned = onBeforeToolCall(
    fixture.deps,
    { toolName: "sessions_spawn", params, runId: "r", toolCallId: `c${children}` },
    {
      sessionKey: requester,
    },
  );
  const label = planned && "params" in planned ? planned.params.label : params.label;
  onSubagentSpawned(
    fixture.deps,
    { childSessionKey: child, ...(typeof label === "string" ? { label } : {}) },
    {
      requesterSessionKey: requester,
    },
  );
  return child;
}
export const endChild = (fixture: Fixture, child: string, outcome: string) =>
  onSubagentEnded(fixture.deps, {
    targetSessionKey: child,
    targetKind: "subagent",
    outcome,
    error: "boom",
  });
