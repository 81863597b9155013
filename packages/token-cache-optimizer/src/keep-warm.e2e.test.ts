import { join } from "node:path";
import { pingAfterMs } from "@cloudsigma/taas-core/contracts/keep-warm";
import type { RecordedRequest } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Host,
  ledgerPlugin,
  optimizerPlugin,
  parseJsonOutput,
  runAgentTurn,
  runOpenClaw,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../e2e/harness/index.ts";
import type { KeepWarmAnswer } from "../../usage-ledger/src/keep-warm/advice-types.ts";
import { readLedgerRows } from "../../usage-ledger/src/ledger-e2e.test-support.ts";
import { PING_MAX_TOKENS } from "./keep-warm/config.ts";
import { PING_CALL_PREFIX } from "./keep-warm/resend.ts";

// One turn, then the conversation sits idle past a short cache TTL: the pinger re-sends its last
// request through the real host's transport, with the conversation's affinity id and a minimal
// output, the emulator serves it from the warm cache, and the ledger records it as a keepwarm row.

// Short, so the test waits seconds; not so short that a loaded machine's timer delay outlives the margin.
const TTL_SECONDS = 12;

describe("keep-warm pings through the real host", () => {
  let host: Host;
  const chats = (): RecordedRequest[] =>
    host.emulator.requests().filter((r) => r.path === "/v1/chat/completions");
  const outputCap = (r: RecordedRequest): unknown => {
    const body = r.body as { max_tokens?: unknown; max_completion_tokens?: unknown } | null;
    return body?.max_completion_tokens ?? body?.max_tokens;
  };

  beforeAll(async () => {
    host = await startHost({
      name: "keep-warm",
      emulator: { profile: "documented", cacheTtlMs: TTL_SECONDS * 1000 },
      config: ({ state }) => ({
        agents: [{ id: "main", workspace: join(state.dir, "workspace-main") }],
        plugins: [
          ledgerPlugin({ cacheTtlSeconds: TTL_SECONDS }),
          optimizerPlugin({
            keepWarm: { enabled: true, ttlSeconds: TTL_SECONDS, maxPingsPerGap: 1 },
          }),
        ],
      }),
      gateway: { token: "keep-warm-token" },
    });
  });
  afterAll(() => tearDownHost(host));

  it("re-sends the idle conversation's last request with its affinity id and lands as a keepwarm row", async () => {
    await runAgentTurn(host.state, {
      message: "Hello, keep this warm.",
      sessionKey: "agent:main:kw",
    });
    const turn = chats();
    const last = turn.at(-1);
    if (!last) throw new Error("the turn made no model call");
    const ping = await waitFor("a keep-warm ping", () => chats().find((r) => r.seq > last.seq), {
      timeoutMs: pingAfterMs(TTL_SECONDS * 1000) + 15_000,
    });
    // Sent no sooner than the TTL less the margin after the last request.
    expect(ping.time - last.time).toBeGreaterThanOrEqual(pingAfterMs(TTL_SECONDS * 1000) - 50);
    expect(ping.headers["x-session-id"]).toBe(last.headers["x-session-id"]);
    expect(ping.agentId).toBe("main");
    // TaaS (emulated) routed the ping by the conversation's id, already known from its turn.
    expect(ping.matchReason).toBe("external_id");
    expect(outputCap(ping)).toBeLessThanOrEqual(PING_MAX_TOKENS);
    expect((ping.body as { messages?: unknown }).messages).toEqual(
      (last.body as { messages?: unknown }).messages,
    );
    const bodyOf = (r: RecordedRequest) => r.body as { tools?: unknown; stream?: unknown };
    expect(bodyOf(ping).tools).toEqual(bodyOf(last).tools);
    // Still within the TTL: the emulator served the prompt from the cache the turn left.
    expect(ping.cachedTokens, `${ping.cacheCause} at ${ping.cacheCauseAt}`).toBeGreaterThan(0);

    const ledger = join(host.state.dir, "usage-ledger", "ledger.sqlite");
    const [row] = await waitFor("the ping's ledger row", () => {
      const rows = readLedgerRows(ledger, "trigger = 'keepwarm'");
      return rows.length > 0 && rows[0]?.affinity_id ? rows : undefined;
    });
    const turnRow = readLedgerRows(
      ledger,
      "trigger IS NOT 'keepwarm' AND affinity_id IS NOT NULL",
    ).at(-1);
    expect(row?.call_id?.startsWith(PING_CALL_PREFIX)).toBe(true);
    expect(row?.affinity_id).toBe(turnRow?.affinity_id);
    expect(row?.affinity_id).toBe(ping.headers["x-session-id"]);
    expect([row?.agent_id, row?.output, row?.cache_read]).toEqual([
      "main",
      ping.completionTokens,
      ping.cachedTokens,
    ]);
    // The ledger's advisor, from the real CLI, counts the ping against its agent's history.
    const advise = await runOpenClaw(host.state, [
      "usage-ledger",
      "advise",
      "--since",
      "all",
      "--json",
    ]);
    const advice = parseJsonOutput<KeepWarmAnswer>(advise, "usage-ledger advise --json");
    expect(advice.groups.find((g) => g.agent === "main")?.pings.count).toBe(1);
    // One ping per gap: no second one went out.
    expect(chats().filter((r) => r.seq > last.seq)).toHaveLength(1);
  });
});
