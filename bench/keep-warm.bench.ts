// Keep warm, off against on, in one run: conversations with idle gaps drawn across the cache
// TTL (some just past it, some far past), sent to the TaaS emulator (documented profile) on a
// simulated clock, so an hour of idle time runs in seconds. The "on" arm runs the optimizer's
// real pinger (KeepWarmPinger) with the ledger's real advisor (adviseKeepWarm, verdictsOf)
// deciding from the arm's own history so far, as the gateway's publisher would. Not the
// OpenClaw host: the requests are the bench's own, with the optimizer's affinity headers.
// Prices: the emulator catalog's illustrative gpt-5.5 input/output prices; the catalog states
// no cache-read price, so the bench assumes 10 % of input (OpenAI's cached-input discount) and
// says so in its output.
import type { KeepWarmVerdict } from "../packages/core/src/contracts/keep-warm.ts";
import { createEmulator } from "../packages/taas-emulator/src/index.ts";
import { DEFAULT_API_KEY } from "../packages/taas-emulator/src/options.ts";
import { parseOptimizerConfig } from "../packages/token-cache-optimizer/src/config.ts";
import type { KeepWarmConfig } from "../packages/token-cache-optimizer/src/keep-warm/pinger.ts";
import { KeepWarmPinger } from "../packages/token-cache-optimizer/src/keep-warm/pinger.ts";
import {
  type AdvisorCall,
  adviseKeepWarm,
} from "../packages/usage-ledger/src/keep-warm/advisor.ts";
import { verdictsOf } from "../packages/usage-ledger/src/keep-warm/publisher.ts";
import { printTable } from "./table.ts";

const TTL_S = 300;
const TTL_MS = TTL_S * 1000;
const PRICES = { input: 1.25, cacheRead: 0.125, output: 10 } as const;
const MODEL = "gpt-5.5";
const TURNS = Number(process.env.KEEP_WARM_TURNS ?? 24);
/** A shared prompt below gpt-5.5's 4,864-token read plateau (the documented profile's). */
const SYSTEM = "You are a careful assistant. ".repeat(500);

/** Each agent's idle gaps, in TTLs: a seeded draw per turn. */
const AGENTS: Record<string, (r: number) => number> = {
  // Comes back just past the TTL: a ping pays.
  returner: (r) => 1.05 + 0.8 * r,
  // Comes back hours later: no ping pays.
  leaver: (r) => 6 + 10 * r,
  // Half within the TTL, a quarter just past, a quarter far past.
  mixed: (r) => (r < 0.5 ? 0.2 + r : r < 0.75 ? 1.1 + r : 8 + 4 * r),
};

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

interface Arm {
  calls: AdvisorCall[];
  pings: number;
  pingCostNano: number;
  /** Pings sent while the advisor's verdict for the agent said none pays. */
  pingsAgainstVerdict: number;
}

const nano = (tokens: number, usdPerMillion: number) => tokens * usdPerMillion * 1000;

/** A call as the ledger would hand it to the advisor, from the emulator's answer. */
function callRow(
  agent: string,
  ts: number,
  answer: { input: number; cached: number; costNano: number },
  accounting: Pick<
    AdvisorCall,
    "trigger" | "cause" | "missedTokens" | "missedCostNano" | "savingNano"
  >,
): AdvisorCall {
  return {
    affinityId: `oc:${agent}`,
    agentId: agent,
    provider: "cloudsigma",
    model: MODEL,
    ts,
    latencyMs: 0,
    input: answer.input,
    cacheRead: answer.cached,
    cacheWrite: 0,
    costNano: answer.costNano,
    costState: "known",
    ...accounting,
  };
}

async function runArm(keepWarm: boolean): Promise<Arm> {
  let now = Date.UTC(2026, 11, 8);
  const emulator = createEmulator({ profile: "documented", cacheTtlMs: TTL_MS, now: () => now });
  const queue: Array<{ at: number; run: () => Promise<void> | void; cancelled?: boolean }> = [];
  const schedule = (at: number, run: () => Promise<void> | void) => {
    const event = { at, run };
    queue.push(event);
    return event;
  };
  const arm: Arm = { calls: [], pings: 0, pingCostNano: 0, pingsAgainstVerdict: 0 };
  // A ping's send, awaited before the clock moves on (the pinger does not hand its promise back).
  const inflight = new Set<Promise<unknown>>();
  const send = async (agent: string, messages: unknown[], maxTokens: number) => {
    const response = await emulator.handle(
      new Request("http://emulator/v1/chat/completions", {
        method: "POST",
        headers: {
          authorization: `Bearer ${DEFAULT_API_KEY}`,
          "content-type": "application/json",
          "X-Session-Id": `oc:${agent}`,
          "X-OpenClaw-Agent-Id": agent,
        },
        body: JSON.stringify({ model: MODEL, messages, max_tokens: maxTokens }),
      }),
    );
    const body = (await response.json()) as {
      usage: {
        prompt_tokens: number;
        completion_tokens: number;
        prompt_tokens_details: { cached_tokens: number };
      };
    };
    const cached = body.usage.prompt_tokens_details.cached_tokens;
    const input = body.usage.prompt_tokens - cached;
    const costNano =
      nano(input, PRICES.input) +
      nano(cached, PRICES.cacheRead) +
      nano(body.usage.completion_tokens, PRICES.output);
    return {
      input,
      cached,
      output: body.usage.completion_tokens,
      costNano,
      cause: emulator.requests().at(-1)?.cacheCause ?? null,
    };
  };
  const verdict = (agentId: string): KeepWarmVerdict | undefined => {
    const sorted = [...arm.calls].sort(
      (a, b) => a.affinityId.localeCompare(b.affinityId) || a.ts - b.ts,
    );
    const advice = adviseKeepWarm({ calls: sorted, ttlMs: () => TTL_MS, prices: () => PRICES });
    return verdictsOf(advice.groups)[agentId];
  };
  const config = {
    ...parseOptimizerConfig({ keepWarm: { enabled: true, ttlSeconds: TTL_S } }).keepWarm,
    maxPingsPerGap: 3,
  } as KeepWarmConfig;
  const pinger = new KeepWarmPinger({
    config,
    verdict,
    report: () => {},
    warn: (m) => console.error(m),
    newCallId: () => `keepwarm-${arm.pings + 1}:model:1`,
    now: () => now,
    setTimer: (run, ms) => schedule(now + ms, run) as unknown as ReturnType<typeof setTimeout>,
    clearTimer: (timer) => {
      (timer as unknown as { cancelled?: boolean }).cancelled = true;
    },
  });
  for (const [agent, gapOf] of Object.entries(AGENTS)) {
    const random = seeded(agent.length * 7919);
    const messages: unknown[] = [{ role: "system", content: SYSTEM }];
    let at = now;
    for (let turn = 0; turn < TURNS; turn++) {
      const gap = turn === 0 ? 0 : gapOf(random()) * TTL_MS;
      at += gap;
      schedule(at, async () => {
        messages.push({ role: "user", content: `Turn ${turn} of ${agent}: what next?` });
        const prompt = [...messages];
        const r = await send(agent, prompt, 64);
        messages.push({ role: "assistant", content: `Step ${turn} done.` });
        const expired = r.cause === "expired";
        arm.calls.push(
          callRow(agent, now, r, {
            trigger: "user",
            cause: expired ? "ttl_expired" : r.cause === "cold" ? "cold" : "none",
            missedTokens: expired ? r.input : 0,
            missedCostNano: expired ? nano(r.input, PRICES.input - PRICES.cacheRead) : 0,
            savingNano: nano(r.cached, PRICES.input - PRICES.cacheRead),
          }),
        );
        if (!keepWarm) return;
        pinger.observe({
          affinityId: `oc:${agent}`,
          agentId: agent,
          sessionId: agent,
          provider: "cloudsigma",
          model: MODEL,
          resend: () => {
            const sent = ping();
            inflight.add(sent);
            return sent.finally(() => inflight.delete(sent));
          },
        });
        async function ping() {
          const said = verdict(agent);
          if (said && said.basis !== "pays" && said.basis !== "no_history")
            arm.pingsAgainstVerdict += 1;
          const p = await send(agent, prompt, 16);
          arm.pings += 1;
          arm.pingCostNano += p.costNano;
          arm.calls.push(
            callRow(agent, now, p, {
              trigger: "keepwarm",
              cause: "none",
              missedTokens: 0,
              missedCostNano: 0,
              savingNano: 0,
            }),
          );
          return { usage: {} };
        }
      });
    }
  }
  for (let event = nextEvent(queue); event; event = nextEvent(queue)) {
    if (event.cancelled) continue;
    now = Math.max(now, event.at);
    await event.run();
    while (inflight.size > 0) await Promise.all(inflight);
    await new Promise((resolve) => setImmediate(resolve));
  }
  pinger.stop();
  return arm;
}

function nextEvent<T extends { at: number }>(queue: T[]): T | undefined {
  if (queue.length === 0) return undefined;
  let best = 0;
  for (let i = 1; i < queue.length; i++) if ((queue[i]?.at ?? 0) < (queue[best]?.at ?? 0)) best = i;
  return queue.splice(best, 1)[0];
}

const usd = (n: number) => `$${(n / 1e9).toFixed(4)}`;

export async function run(): Promise<void> {
  const off = await runArm(false);
  const on = await runArm(true);
  const rows: string[][] = [];
  let lossOff = 0;
  let netTotal = 0;
  for (const agent of [...Object.keys(AGENTS), "all"]) {
    const of = (arm: Arm) =>
      arm.calls.filter((c) => c.trigger !== "keepwarm" && (agent === "all" || c.agentId === agent));
    const loss = (arm: Arm) =>
      of(arm).reduce((s, c) => s + (c.cause === "ttl_expired" ? (c.missedCostNano ?? 0) : 0), 0);
    const expired = (arm: Arm) => of(arm).filter((c) => c.cause === "ttl_expired").length;
    const pings = on.calls.filter(
      (c) => c.trigger === "keepwarm" && (agent === "all" || c.agentId === agent),
    );
    const pingCost = pings.reduce((s, c) => s + (c.costNano ?? 0), 0);
    const net = loss(off) - loss(on) - pingCost;
    if (agent === "all") {
      lossOff = loss(off);
      netTotal = net;
    }
    rows.push([
      agent,
      `${expired(off)} / ${usd(loss(off))}`,
      `${expired(on)} / ${usd(loss(on))}`,
      String(pings.length),
      usd(pingCost),
      usd(net),
      loss(off) > 0 ? `${Math.round((100 * net) / loss(off))}%` : "-",
    ]);
  }
  printTable(
    `Keep warm off vs on (emulator documented profile, TTL ${TTL_S}s simulated, ${TURNS} turns per agent; gpt-5.5 at $${PRICES.input}/M input, $${PRICES.output}/M output, cache read assumed $${PRICES.cacheRead}/M)`,
    [
      "agent",
      "ttl_expired off (calls / $)",
      "ttl_expired on",
      "pings",
      "ping cost",
      "net saving",
      "of off loss",
    ],
    rows,
  );
  console.log(`pings sent while the advisor's verdict said none pays: ${on.pingsAgainstVerdict}`);
  console.log(
    `recovered net: ${lossOff > 0 ? Math.round((100 * netTotal) / lossOff) : 0}% of the ttl_expired loss (target >= 50%)`,
  );
}
