import { describe, expect, it } from "vitest";
import { resolveGateDbPath } from "./db-path.ts";

describe("resolveGateDbPath", () => {
  it.each([
    [undefined, "/state/message-gate/gate.sqlite"],
    ["  ", "/state/message-gate/gate.sqlite"],
    ["ledgers/gate.db", "/state/ledgers/gate.db"],
    ["/var/lib/gate.db", "/var/lib/gate.db"],
  ])("dbPath %j -> %j", (dbPath, expected) => {
    expect(resolveGateDbPath("/state", dbPath)).toBe(expected);
  });
});
