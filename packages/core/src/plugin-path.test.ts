import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pluginFilePath } from "./plugin-path.ts";

describe("pluginFilePath", () => {
  const base = { stateDir: "/srv/state", pluginId: "usage-ledger", defaultName: "ledger.sqlite" };
  it.each([
    [undefined, join("/srv/state", "usage-ledger", "ledger.sqlite")],
    ["   ", join("/srv/state", "usage-ledger", "ledger.sqlite")],
    ["/data/ledger.sqlite", "/data/ledger.sqlite"],
    ["custom/ledger.sqlite", join("/srv/state", "custom", "ledger.sqlite")],
    ["../elsewhere.sqlite", "/srv/elsewhere.sqlite"],
  ])("configured %j -> %s", (configured, expected) => {
    expect(pluginFilePath({ ...base, configured })).toBe(expected);
  });
});
