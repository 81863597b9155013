import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApi } from "../../../test-support/plugin-api.ts";
import { readRows } from "../../../test-support/sqlite-rows.ts";
import { registerOrchestrator } from "./register.ts";
import { orchestratorRuntime } from "./runtime.ts";
import { TrackingStore } from "./tracking-store.ts";

let stateDir: string;
const opened: string[] = [];

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "orchestrator-index-"));
});
afterEach(() => {
  for (const path of opened.splice(0)) {
    orchestratorRuntime({ dbPath: () => path, now: Date.now, stateTtlMs: 86_400_000 })
      .store()
      .close();
  }
  rmSync(stateDir, { recursive: true, force: true });
});

/**
 * Registers as the entry does, with the shared fake host API and a temp state dir in place of
 * the host's; returns the hook names, in order, and the warnings.
 */
function register(mode: string, pluginConfig: unknown) {
  const fake = fakeApi({
    id: "orchestrator",
    mode: mode as Parameters<typeof fakeApi>[0]["mode"],
    pluginConfig: pluginConfig as Record<string, unknown>,
  });
  registerOrchestrator(fake.api, { stateDir: () => stateDir });
  return {
    fake,
    hooks: [...fake.hooks.keys()],
    warnings: fake.logs.filter((line) => line.startsWith("warn: ")).map((line) => line.slice(6)),
  };
}

const HOOKS = [
  "before_prompt_build",
  "before_tool_call",
  "after_tool_call",
  "subagent_spawned",
  "subagent_ended",
  "session_end",
];

describe("orchestrator registration", () => {
  it.each(["full", "discovery", "setup-runtime"])(
    "registers every hook in %s mode without touching the runtime",
    (mode) => {
      const { hooks } = register(mode, {});
      expect(hooks).toEqual(HOOKS);
    },
  );

  it("registers nothing in cli-metadata mode", () => {
    const { hooks } = register("cli-metadata", { bogus: true });
    expect(hooks).toEqual([]);
  });

  it.each([
    [{ maxRetries: 3 }, /orchestrator: config key "maxRetries" is not a known setting/],
    [{ orchestratorLabelPrefix: "!!!" }, /config key "orchestratorLabelPrefix" needs at least one/],
  ])(
    "keeps its hooks with the default policy when the config is refused (%j)",
    (config, message) => {
      const { fake, hooks } = register("full", config);
      expect(hooks).toEqual(HOOKS);
      const errors = fake.logs.filter((line) => line.startsWith("error: "));
      expect(errors).toEqual([expect.stringMatching(message)]);
      expect(errors[0]).toMatch(
        /running with the default settings \(main-session delegation enforced\)/,
      );
    },
  );

  it("warns when enforcement is on and the allow lists add direct tools", () => {
    const { warnings } = register("full", {
      enforceMainDelegation: true,
      allowedMainTools: ["exec"],
    });
    expect(warnings).toEqual([
      "orchestrator: allowed tool lists add non-session tools (exec); main or orchestrator sessions may run them directly",
    ]);
  });

  it("keeps its state in <state dir>/orchestrator/orchestrator.sqlite, pruned when first opened", () => {
    const path = join(stateDir, "orchestrator", "orchestrator.sqlite");
    const pending = (pendingKey: string, createdAt: number) => ({
      pendingKey,
      requesterSessionKey: "agent:main:main",
      kind: "worker" as const,
      label: null,
      specJson: "{}",
      taskKey: pendingKey,
      createdAt,
    });
    mkdirSync(dirname(path), { recursive: true });
    const earlier = TrackingStore.open(path);
    earlier.recordPending(pending("stale", Date.now() - 2 * 3_600_000));
    earlier.recordPending(pending("fresh", Date.now()));
    earlier.close();

    const { fake } = register("full", {});
    opened.push(path);
    fake.fire("session_end", { sessionKey: "agent:main:other", reason: "new" });
    expect(readRows(path, "SELECT pending_key FROM pending_spawns")).toEqual([
      { pending_key: "fresh" },
    ]);
  });

  it("drops tracked sessions, budgets and notes quiet for stateTtlMs, when opened and then hourly", () => {
    const path = join(stateDir, "orchestrator", "orchestrator.sqlite");
    const hour = 3_600_000;
    let now = Date.UTC(2026, 0, 1, 9);
    const runtime = orchestratorRuntime({
      dbPath: () => path,
      now: () => now,
      stateTtlMs: 24 * hour,
    });
    opened.push(path);
    const store = runtime.store();
    const pending = {
      pendingKey: "p",
      requesterSessionKey: "agent:main:main",
      kind: "orchestrator" as const,
      label: null,
      specJson: "{}",
      taskKey: "k",
      createdAt: now,
    };
    store.trackSession(pending, "agent:main:subagent:old", "t", null, now);
    store.retries.reserve("k", "agent:main:main", 2, now, 0);
    store.notes.set("agent:main:main", "last_user_message", "hi", now);
    const counts = () =>
      ["tracked_sessions", "retry_budgets", "session_notes"].map(
        (table) => readRows(path, `SELECT count(*) AS n FROM ${table}`)[0]?.n,
      );

    now += 23.5 * hour;
    runtime.store();
    expect(counts()).toEqual([1, 1, 1]);
    // Past the TTL, but the last prune was less than an hour ago: kept until the next one.
    now += 0.75 * hour;
    store.trackSession({ ...pending, taskKey: "k2" }, "agent:main:subagent:new", "t", null, now);
    runtime.store();
    expect(counts()).toEqual([2, 1, 1]);
    now += 0.5 * hour;
    runtime.store();
    expect(counts()).toEqual([1, 0, 0]);
    expect(readRows(path, "SELECT session_key FROM tracked_sessions")).toEqual([
      { session_key: "agent:main:subagent:new" },
    ]);
  });
});
