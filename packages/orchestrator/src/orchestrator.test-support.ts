import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQLOutputValue } from "node:sqlite";
import { readRows } from "../../../test-support/sqlite-rows.ts";
import { parseOrchestratorSettings } from "./config.ts";
import type { OrchestratorDeps, SystemEvents } from "./deps.ts";
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
