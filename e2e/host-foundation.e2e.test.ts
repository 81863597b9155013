import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  gatewayCall,
  type Host,
  processesUsingStateDir,
  providerModels,
  runAgentTurn,
  startHost,
  tearDownHost,
} from "./harness/index.ts";

// The foundation: the real host talks to the emulator, its prompt cache works across turns,
// and a gateway starts and stops cleanly. No plugin of ours is loaded here.
describe("real OpenClaw host against the TaaS emulator", () => {
  let host: Host;

  beforeAll(async () => {
    host = await startHost({
      name: "foundation",
      emulator: { replicas: 4 },
      config: {
        // prompt_cache_key is the host's own affinity hint; it keeps this session on one replica.
        models: providerModels(undefined, { supportsPromptCacheKey: true }),
      },
      // Configured, not started: test (c) starts and stops it itself.
      gateway: { token: "foundation-token", start: false },
    });
  });

  afterAll(() => tearDownHost(host));

  it("(a) an agent turn reaches the emulator and gets its reply", async () => {
    const turn = await runAgentTurn(host.state, {
      message: "hello from the foundation test",
      local: true,
    });
    const chats = host.emulator.requests().filter((r) => r.path === "/v1/chat/completions");
    expect(chats).toHaveLength(1);
    const [request] = chats;
    expect(request?.status).toBe(200);
    expect(request?.model).toBe("gpt-5.5");
    expect(request?.headers.authorization).toBe("Bearer <redacted>");
    expect(JSON.stringify(request?.body)).toContain("hello from the foundation test");
    expect(turn.reply).toMatch(/^TaaS emulator \(gpt-5\.5\): .+ \[[0-9a-f]{8}\]$/);
    // The echo answers the prompt, not the runtime context the host appends after it.
    expect(turn.reply).toContain("hello from the foundation test");
    expect(turn.json.meta.agentMeta?.provider).toBe("cloudsigma");
  });

  it("(b) the second turn of the session is served from the prefix cache, and the host reports it as cacheRead", async () => {
    const turn = await runAgentTurn(host.state, { message: "and a second turn", local: true });
    const chats = host.emulator.requests().filter((r) => r.path === "/v1/chat/completions");
    expect(chats).toHaveLength(2);
    const [first, second] = chats;
    expect(second?.replica).toBe(first?.replica);
    expect(second?.routingSource).toBe("prompt_cache_key");
    expect(second?.cachedTokens ?? 0).toBeGreaterThan(0);
    expect(turn.usage?.cacheRead).toBe(second?.cachedTokens);
    expect(turn.usage?.input).toBe((second?.promptTokens ?? 0) - (second?.cachedTokens ?? 0));
  });

  it("(c) a gateway starts, answers health, stops, and leaves no process behind", async () => {
    const gateway = await host.startGateway();
    const health = await gatewayCall<{ ok?: boolean }>(host.state, "health");
    expect(health.json.ok).toBe(true);
    expect(await processesUsingStateDir(host.state.dir)).toContain(gateway.pid);
    const exit = await gateway.stop();
    expect(exit.code === 0 || exit.signal === "SIGTERM").toBe(true);
    expect(await processesUsingStateDir(host.state.dir)).toEqual([]);
    await expect(freePortIsFree(gateway.port)).resolves.toBe(true);
  });
});

async function freePortIsFree(port: number): Promise<boolean> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
