import { describe, expect, it } from "vitest";
import entry from "./index.ts";

type Api = Parameters<typeof entry.register>[0];

/** The part of the plugin API registration touches; runtime throws as it does in cli-metadata mode. */
function fakeApi(registrationMode: string, pluginConfig: unknown) {
  const hooks: string[] = [];
  const warnings: string[] = [];
  const api = {
    id: "message-gate",
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

const HOOKS = ["message_received", "message_sending"];

describe("message-gate registration", () => {
  it.each(["full", "discovery", "setup-runtime"])(
    "registers both hooks in %s mode without touching the runtime",
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

  it("refuses an unknown key and a broken trigger at registration", () => {
    expect(() => entry.register(fakeApi("full", { protectedPeers: [] }).api)).toThrow(
      /message-gate: config key "protectedPeers" is not a known setting/,
    );
    expect(() => entry.register(fakeApi("full", { triggerRegex: "[" }).api)).toThrow(
      /"triggerRegex" is not a valid regular expression/,
    );
  });
});
