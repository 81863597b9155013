import type { RouteCapture } from "@cloudsigma/taas-core/contracts/route-store";
import { AutorouterPreferences } from "./autorouter-preferences.ts";
import { CaptureWriter } from "./capture-writer.ts";
import { boundedLoadSettings, type OptimizerConfig, parseOptimizerConfig } from "./config.ts";
import type { RepoHintsCache } from "./repo-hints.ts";
import type { CallPrefix, RouteStoreCaps } from "./route-store-writer.ts";
import { ShardBalancer } from "./shard-balancer.ts";
import { type AffinityRuntime, createAffinityWrapper, type StreamFn } from "./stream-wrapper.ts";
import { TurnTracker } from "./turn-tracker.ts";

type WrapContext = Parameters<ReturnType<typeof createAffinityWrapper>>[0];
type Model = Parameters<StreamFn>[0];
type Options = NonNullable<Parameters<StreamFn>[2]>;

/** The install key the unit tests' wrappers hash ids with (a real install makes its own). */
export const TEST_ID_KEY = "0".repeat(64);

/** What one model call would have put on the wire. */
export interface OutboundCall {
  body: string;
  headers: Record<string, string>;
}

/**
 * A stand-in for the host transport: builds the payload, runs `onPayload` as the real
 * openai-completions transport does, serialises the body, then reports a response.
 */
export function fakeTransport(
  payload: () => Record<string, unknown>,
  response: { status: number; headers: Record<string, string> } = { status: 200, headers: {} },
) {
  const calls: OutboundCall[] = [];
  const streamFn: StreamFn = async (model, _context, options) => {
    let body: unknown = payload();
    const next = await options?.onPayload?.(body, model);
    if (next !== undefined) body = next;
    calls.push({ body: JSON.stringify(body), headers: { ...options?.headers } });
    await options?.onResponse?.(response, model);
    // The wrapper never inspects the stream it returns; the tests only need the wire view.
    return {} as Awaited<ReturnType<StreamFn>>;
  };
  return { streamFn, calls };
}

export const model = (provider = "cloudsigma", id = "gpt-5.5"): Model =>
  ({ provider, id, api: "openai-completions" }) as unknown as Model;

export interface Harness {
  wrap: (ctx: Partial<WrapContext> & { streamFn: StreamFn }) => StreamFn;
  captures: RouteCapture[];
  prefixes: CallPrefix[];
  debugLines: string[];
  writer: CaptureWriter;
}

export function wrapperHarness(
  overrides: {
    config?: Partial<OptimizerConfig>;
    env?: NodeJS.ProcessEnv;
    stateDir?: string;
    hostId?: string;
    repoHints?: RepoHintsCache;
    preferences?: AutorouterPreferences;
    shards?: ShardBalancer;
  } = {},
): Harness {
  const captures: RouteCapture[] = [];
  const prefixes: CallPrefix[] = [];
  const debugLines: string[] = [];
  const writer = new CaptureWriter({
    sink: () => ({
      write: (batch: readonly RouteCapture[], _caps: RouteStoreCaps, digests = []) => {
        captures.push(...batch);
        prefixes.push(...digests);
      },
    }),
    caps: { maxAffinityIds: 10, maxAgents: 10, maxCalls: 10 },
    warn: () => {},
  });
  const config: OptimizerConfig = {
    ...parseOptimizerConfig({}),
    repoHints: overrides.repoHints !== undefined,
    ...overrides.config,
  };
  const shards = overrides.shards ?? new ShardBalancer(boundedLoadSettings(config));
  const runtime: AffinityRuntime = {
    config,
    env: overrides.env ?? {},
    stateDir: () => overrides.stateDir ?? "/var/lib/openclaw-test-state",
    idKey: () => TEST_ID_KEY,
    hostId: () => overrides.hostId ?? "host:0000000000000000",
    pluginVersion: "9.9.9",
    source: "openclaw-taas-affinity",
    tracker: new TurnTracker(),
    repoHints: overrides.repoHints,
    writer: () => writer,
    preferences: overrides.preferences ?? new AutorouterPreferences(),
    shards: () => shards,
    debug: (line) => debugLines.push(line),
  };
  const wrapper = createAffinityWrapper(runtime);
  return {
    captures,
    prefixes,
    debugLines,
    writer,
    wrap: (ctx) => {
      const wrapped = wrapper({
        provider: "cloudsigma",
        modelId: "gpt-5.5",
        ...ctx,
      } as WrapContext);
      if (!wrapped) throw new Error("wrapper returned no stream function");
      return wrapped;
    },
  };
}

export async function call(
  streamFn: StreamFn,
  options: Options = {},
  m: Model = model(),
): Promise<void> {
  await streamFn(m, { messages: [] } as unknown as Parameters<StreamFn>[1], options);
}
