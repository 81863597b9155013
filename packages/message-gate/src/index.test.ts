import { describe, expect, it } from "vitest";
import { fakeApi } from "../../../test-support/plugin-api.ts";
import entry from "./index.ts";

/** Registers with the shared fake host API; returns the hook names, in order, and the warnings. */
function register(mode: string, pluginConfig: unknown) {
  const fake = fakeApi({
    id: "message-gate",
    mode: mode as Parameters<typeof fakeApi>[0]["mode"],
    pluginConfig: pluginConfig as Record<string, unknown>,
  });
  entry.register(fake.api);
  return {
    hooks: [...fake.hooks.keys()],
    warnings: fake.logs.filter((line) => line.startsWith("warn: ")).map((line) => line.slice(6)),
  };
}

const HOOKS = ["message_received", "message_sending"];

describe("message-gate registration", () => {
  it.each(["full", "discovery", "setup-runtime"])(
    "registers both hooks in %s mode without touching the runtime",
    (mode) => {
      const { hooks } = register(mode, {});
      expect(hooks).toEqual(HOOKS);
    },
  );

  it("registers nothing in cli-metadata mode", () => {
    const { hooks } = register("cli-metadata", { bogus: true });
    expect(hooks).toEqual([]);
  });

  it("refuses an unknown key and a broken trigger at registration", () => {
    expect(() => register("full", { protectedPeers: [] })).toThrow(
      /message-gate: config key "protectedPeers" is not a known setting/,
    );
    expect(() => register("full", { triggerRegex: "[" })).toThrow(
      /"triggerRegex" is not a valid regular expression/,
    );
  });
});
