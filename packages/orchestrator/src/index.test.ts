import { describe, expect, it } from "vitest";
import { fakeApi } from "../../../test-support/plugin-api.ts";
import entry from "./index.ts";

/** Registers with the shared fake host API; returns the hook names, in order, and the warnings. */
function register(mode: string, pluginConfig: unknown) {
  const fake = fakeApi({
    id: "orchestrator",
    mode: mode as Parameters<typeof fakeApi>[0]["mode"],
    pluginConfig: pluginConfig as Record<string, unknown>,
  });
  entry.register(fake.api);
  return {
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

  it("refuses an unknown key at registration", () => {
    expect(() => register("full", { maxRetries: 3 })).toThrow(
      /orchestrator: config key "maxRetries" is not a known setting/,
    );
  });

  it("warns when enforcement is on and the allow lists add direct tools", () => {
    const { warnings } = register("full", {
      enforceMainDelegation: true,
      allowedMainTools: ["exec"],
    });
    expect(warnings).toEqual([
      "orchestrator: allowed tool lists add non-session tools (exec); main or orchestrator sessions may run them directly",
    ]);
  });
});
