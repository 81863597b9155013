import { describe, expect, it } from "vitest";
import { parseCliArgs, UsageError } from "./cli-args.ts";

describe("parseCliArgs", () => {
  it("maps flags onto emulator options", () => {
    const command = parseCliArgs([
      "--port",
      "0",
      "--replicas",
      "2",
      "--host",
      "127.0.0.1",
      "--api-key",
      "k",
      "--ttl-ms",
      "1000",
      "--models-fault",
      "wrong-types",
      "--anthropic-usage",
      "--chat-latency-ms",
      "5",
      "--keyless-routing",
      "round-robin",
      "--keyless-seed",
      "42",
      "--history-ttl-ms",
      "7200000",
      "--history-capacity-blocks",
      "9",
      "--models-listing",
      "openai",
    ]);
    expect(command).toEqual({
      kind: "start",
      options: expect.objectContaining({
        port: 0,
        replicas: 2,
        host: "127.0.0.1",
        apiKey: "k",
        cacheTtlMs: 1000,
        modelsFault: "wrong-types",
        anthropicUsage: true,
        chatLatencyMs: 5,
        keylessRouting: "round-robin",
        keylessSeed: 42,
        historyTtlMs: 7_200_000,
        historyCapacityBlocks: 9,
        modelsListing: "openai",
      }),
    });
  });

  it("defaults the port to 8787", () => {
    expect(parseCliArgs([])).toMatchObject({ kind: "start", options: { port: 8787 } });
    expect(parseCliArgs(["--help"])).toEqual({ kind: "help" });
  });

  it.each([
    [["--replicas", "0"]],
    [["--replicas", "two"]],
    [["--port", "70000"]],
    [["--ttl-ms", "-1"]],
    [["--models-fault", "explode"]],
    [["--models-listing", "xml"]],
    [["--api-key", ""]],
    [["--keyless-routing", "sticky"]],
    [["--keyless-seed", "4294967296"]],
    [["--history-capacity-blocks", "0"]],
    [["--unknown"]],
    [["positional"]],
    [["--port"]],
  ])("rejects %j with a UsageError", (argv) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
  });
});
