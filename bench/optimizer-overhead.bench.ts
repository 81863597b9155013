// Per-request cost of the optimizer's work (payload patch + headers + route capture) against a
// no-op wrapper that passes the same options through the same closures, measured side by side
// in one run. The capture's SQLite write happens later, off the request path; its amortised
// cost per capture is measured separately with real batches on disk.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutorouterPreferences } from "../packages/token-cache-optimizer/src/autorouter-preferences.ts";
import { CaptureWriter } from "../packages/token-cache-optimizer/src/capture-writer.ts";
import {
  boundedLoadSettings,
  parseOptimizerConfig,
} from "../packages/token-cache-optimizer/src/config.ts";
import { promptPrefix } from "../packages/token-cache-optimizer/src/prompt-prefix.ts";
import { RouteStoreWriter } from "../packages/token-cache-optimizer/src/route-store-writer.ts";
import { ShardBalancer } from "../packages/token-cache-optimizer/src/shard-balancer.ts";
import {
  createAffinityWrapper,
  type StreamFn,
} from "../packages/token-cache-optimizer/src/stream-wrapper.ts";
import { TurnTracker } from "../packages/token-cache-optimizer/src/turn-tracker.ts";
import { median, printTable } from "./table.ts";

type Options = NonNullable<Parameters<StreamFn>[2]>;
type Model = Parameters<StreamFn>[0];
type Context = Parameters<StreamFn>[1];
type WrapContext = Parameters<ReturnType<typeof createAffinityWrapper>>[0];

const model = {
  provider: "cloudsigma",
  id: "gpt-5.5",
  api: "openai-completions",
} as unknown as Model;
const context = { messages: [] } as unknown as Context;
const systemPrompt = "x".repeat(50_000);
const tools = Array.from({ length: 12 }, (_, i) => ({
  type: "function",
  function: { name: `tool_${i}`, parameters: { type: "object", properties: {} } },
}));
const response = {
  status: 200,
  headers: {
    "x-request-id": "req_0123456789abcdef01234567",
    "x-taas-upstream": "replica-2",
    "x-trace-id": "0123456789abcdef0123456789abcdef",
    "content-type": "text/event-stream",
  },
};

// The transport stand-in: builds a payload, runs onPayload and onResponse, as the host does.
const underlying: StreamFn = async (m, _c, options) => {
  const payload = {
    model: "gpt-5.5",
    messages: [{ role: "system", content: systemPrompt }],
    tools,
    stream: true,
  };
  await options?.onPayload?.(payload, m);
  await options?.onResponse?.(response, m);
  return {} as Awaited<ReturnType<StreamFn>>;
};

const noopWrapper: StreamFn = (m, c, options) =>
  underlying(m, c, {
    ...options,
    headers: { ...options?.headers },
    onPayload: async (payload, pm) => (await options?.onPayload?.(payload, pm)) ?? payload,
    onResponse: async (resp, rm) => {
      await options?.onResponse?.(resp, rm);
    },
  });

export async function run(): Promise<void> {
  const writer = new CaptureWriter({
    sink: () => ({ write: () => {} }),
    caps: { maxAffinityIds: 1000, maxAgents: 256, maxCalls: 5000 },
    warn: () => {},
    // A gateway drains this queue on the next turn of its event loop, so it holds the bodies of
    // the calls answered within one tick; this loop never yields inside a batch, and a 1,000-deep
    // queue of retained bodies would measure the garbage collector, not the request path.
    maxPending: 10,
  });
  const config = { ...parseOptimizerConfig({}), repoHints: false };
  const shards = new ShardBalancer(boundedLoadSettings(config));
  const wrap = createAffinityWrapper({
    config,
    env: {},
    stateDir: () => "/var/lib/openclaw",
    idKey: () => "0".repeat(64),
    hostId: () => "host:0000000000000000",
    pluginVersion: "bench",
    source: "openclaw-taas-affinity",
    tracker: new TurnTracker(),
    repoHints: undefined,
    writer: () => writer,
    preferences: new AutorouterPreferences(),
    shards: () => shards,
    debug: undefined,
  });
  const optimized = wrap({
    provider: "cloudsigma",
    modelId: "gpt-5.5",
    workspaceDir: "/home/op/.openclaw/workspace",
    agentId: "main",
    streamFn: underlying,
  } as WrapContext);
  if (!optimized) throw new Error("wrapper declined the provider");

  const BATCH = 2_000;
  const ROUNDS = 40;
  let seq = 0;
  const options = (): Options => ({
    requestId: `run-${seq >> 3}:model:${(seq++ & 7) + 1}`,
    sessionId: "s",
    headers: { traceparent: "00-1-2-01" },
  });
  const timeBatch = async (fn: StreamFn) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) await fn(model, context, options());
    return Number(process.hrtime.bigint() - start) / BATCH / 1000; // µs per request
  };
  const samples = { none: [] as number[], noop: [] as number[], optimizer: [] as number[] };
  for (let round = 0; round < ROUNDS + 5; round++) {
    // Interleaved, so machine noise hits all three alike; the first rounds warm the JIT.
    const none = await timeBatch(underlying);
    const noop = await timeBatch(noopWrapper);
    const opt = await timeBatch(optimized);
    await new Promise((resolve) => setImmediate(resolve)); // let the capture writer drain
    if (round >= 5) {
      samples.none.push(none);
      samples.noop.push(noop);
      samples.optimizer.push(opt);
    }
  }
  const m = {
    none: median(samples.none),
    noop: median(samples.noop),
    optimizer: median(samples.optimizer),
  };
  printTable(
    "Optimizer per-request cost (µs, median of batch means, same run)",
    ["path", "µs/request", "vs no-op wrapper"],
    [
      ["transport stand-in alone", m.none.toFixed(2), "-"],
      ["no-op wrapper", m.noop.toFixed(2), "1.00x"],
      ["optimizer wrapper", m.optimizer.toFixed(2), `${(m.optimizer / m.noop).toFixed(2)}x`],
      ["added by the optimizer", (m.optimizer - m.noop).toFixed(2), "target < 10 µs"],
    ],
  );

  // The deferred part: batched SQLite writes of captures, per capture.
  const dir = mkdtempSync(join(tmpdir(), "bench-routes-"));
  try {
    const store = new RouteStoreWriter(dir);
    const caps = { maxAffinityIds: 1000, maxAgents: 256, maxCalls: 5000 };
    const capture = (n: number) => ({
      capturedAt: new Date().toISOString(),
      affinityId: `oc:${(n % 50).toString(16).padStart(16, "0")}`,
      agentId: `a${n % 10}`,
      callId: `run-${n}:model:1`,
      provider: "cloudsigma",
      model: "gpt-5.5",
      status: 200,
      autorouted: false,
      upstream: "replica-1",
    });
    const batches = 50;
    const perBatch = 20;
    const start = process.hrtime.bigint();
    for (let b = 0; b < batches; b++)
      store.write(
        Array.from({ length: perBatch }, (_, i) => capture(b * perBatch + i)),
        caps,
      );
    const perCapture = Number(process.hrtime.bigint() - start) / (batches * perBatch) / 1000;
    // The prompt digests of a 50 KB system prompt plus 12 tool schemas and a short history.
    const body = {
      model: "gpt-5.5",
      tools,
      messages: [
        { role: "system", content: systemPrompt },
        ...Array.from({ length: 20 }, (_, i) => ({
          role: i % 2 ? "assistant" : "user",
          content: `turn ${i}`,
        })),
      ],
    };
    const digestSamples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = process.hrtime.bigint();
      promptPrefix(body);
      digestSamples.push(Number(process.hrtime.bigint() - started) / 1000);
    }
    const prefix = promptPrefix(body);
    const withPrefix = process.hrtime.bigint();
    for (let b = 0; b < batches; b++) {
      const batch = Array.from({ length: perBatch }, (_, i) => capture(10_000 + b * perBatch + i));
      const prefixes = prefix ? batch.map((c) => ({ callId: c.callId, prefix })) : [];
      store.write(batch, caps, prefixes);
    }
    const perCaptureWithPrefix =
      Number(process.hrtime.bigint() - withPrefix) / (batches * perBatch) / 1000;
    store.close();
    printTable(
      "Deferred work (after the response, in the capture queue's batch; off the request path)",
      ["what", "value"],
      [
        [`µs per capture, batches of ${perBatch}, trimmed to caps`, perCapture.toFixed(1)],
        [
          `µs per capture with its prompt digests (${prefix?.segments.length ?? 0} segments)`,
          perCaptureWithPrefix.toFixed(1),
        ],
        ["µs to digest one 50 KB prompt (median of 200)", median(digestSamples).toFixed(1)],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
