import { describe, expect, it } from "vitest";
import entry from "./index.ts";

type Api = Parameters<typeof entry.register>[0];

/** The part of the plugin API registration touches; runtime throws as it does in cli-metadata mode. */
function fakeApi(registrationMode: string, pluginConfig: unknown) {
  const hooks: string[] = [];
  const warnings: string[] = [];
  const api = {
    id: "orchestrator",
    registrationMode,
    pluginConfig,
    logger: {
      info: () => undefined,
      warn: (m: string) => warnings.push(m),
      error: () => undefined,
      debug: () => undefined,
    },
    on: (name: string) => hooks.push(name),
    get runtime(): never {
      throw new Error("runtime is not available in this test");
    },
  };
  // Registration reads only the members above; the host's full API is far larger.
  return { api: api as unknown as Api, hooks, warnings };
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
      const { api, hooks } = fakeApi(mode, {});
      entry.register(api);
      expect(hooks).toEqual(HOOKS);
    },
  );

  it("registers nothing in cli-metadata mode", () => {
    const { api, hooks } = fakeApi("cli-metadata", { bogus: true });
    entry.register(api);
    expect(hooks).toEqual([]);
  });

  it("refuses an unknown key at registration", () => {
    const { api } = fakeApi("full", { maxRetries: 3 });
    expect(() => entry.register(api)).toThrow(
      /orchestrator: config key "maxRetries" is not a known setting/,
    );
  });

  it("warns when enforcement is on and the allow lists add direct tools", () => {
    const { api, warnings } = fakeApi("full", {
      enforceMainDelegation: true,
      allowedMainTools: ["exec"],
    });
    entry.register(api);
    expect(warnings).toEqual([
      "orchestrator: allowed tool lists add non-session tools (exec); main or orchestrator sessions may run them directly",
    ]);
  });
});
