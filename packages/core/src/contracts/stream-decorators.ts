import { processSlot } from "../process-scope.ts";
import { OPTIMIZER_PLUGIN_ID, TAAS_PROVIDER_PLUGIN_ID } from "./plugin-ids.ts";

/**
 * The stream-decorator seam between the token-cache optimizer (publisher) and the TaaS
 * provider plugin (applier). The host runs exactly one provider plugin's `wrapStreamFn` per
 * provider id: when the TaaS provider plugin owns `cloudsigma`, the optimizer's own provider
 * hook (registered through `hookAliases`) is never consulted, so the optimizer publishes its
 * wrapper here and the provider applies every published decorator inside its `wrapStreamFn`.
 *
 * - Order is explicit: decorators apply by ascending `order` (then id), each wrapping the
 *   previous result, whatever order the plugins happened to register in.
 * - Each module instance's publication is its own: a reload disposes the old instance, which
 *   withdraws its publication, and the newest live publication of an id is the one applied.
 * - A stream function that already went through a decorator is not decorated again by it (the
 *   host may hand a plugin its own wrapper back).
 *
 * Generic over the context and stream function types: core never imports the host.
 */
export type StreamDecorator<Ctx, Fn> = (ctx: Ctx & { streamFn?: Fn }) => Fn | undefined;

/** Who publishes, and where in the chain it goes (lower `order` wraps first, innermost). */
interface DecoratorSlot {
  id: string;
  order: number;
}

/** Who is on each side: the provider applies what the optimizer publishes. */
export const STREAM_DECORATOR_PLUGINS = {
  applier: TAAS_PROVIDER_PLUGIN_ID,
  publishers: [OPTIMIZER_PLUGIN_ID],
} as const;

/** The optimizer's affinity metadata, headers and route capture. */
export const AFFINITY_DECORATOR = { id: OPTIMIZER_PLUGIN_ID, order: 100 } as const;

interface Publication {
  token: symbol;
  order: number;
  decorator: StreamDecorator<never, unknown>;
}

const publications = processSlot<Map<string, Publication[]>>("core.stream-decorators.publications");
const decoratedBy = processSlot<WeakMap<object, Set<string>>>("core.stream-decorators.applied");
const table = () => publications.obtain("all", () => new Map());
const appliedMarks = () => decoratedBy.obtain("all", () => new WeakMap());

/** Publishes a decorator; returns the withdraw for this publication (call it on dispose). */
export function publishStreamDecorator<Ctx, Fn>(
  slot: DecoratorSlot,
  decorator: StreamDecorator<Ctx, Fn>,
): () => void {
  const { id, order } = slot;
  const token = Symbol(id);
  const list = table().get(id) ?? [];
  list.push({ token, order, decorator: decorator as StreamDecorator<never, unknown> });
  table().set(id, list);
  return () => {
    const current = table().get(id) ?? [];
    const remaining = current.filter((entry) => entry.token !== token);
    if (remaining.length > 0) table().set(id, remaining);
    else table().delete(id);
  };
}

/** The ids whose decorators apply now, in the order they apply. */
export function publishedStreamDecoratorIds(): string[] {
  const orderOf = (id: string) => table().get(id)?.at(-1)?.order ?? 0;
  return [...table().keys()].sort((a, b) => orderOf(a) - orderOf(b) || a.localeCompare(b));
}

/** Applies every published decorator in order; each sees the previous result. */
export function applyStreamDecorators<Ctx, Fn>(ctx: Ctx & { streamFn?: Fn }): Fn | undefined {
  let streamFn = ctx.streamFn;
  for (const id of publishedStreamDecoratorIds()) {
    const newest = table().get(id)?.at(-1);
    if (!newest) continue;
    const decorator = newest.decorator as unknown as StreamDecorator<Ctx, Fn>;
    streamFn = decorator({ ...ctx, streamFn }) ?? streamFn;
  }
  return streamFn;
}

/** Marks `fn` as the output of decorator `id`, so the decorator can leave it alone next time. */
export function markDecorated<Fn extends object>(fn: Fn, id: string): Fn {
  const marks = appliedMarks();
  const ids = marks.get(fn) ?? new Set();
  ids.add(id);
  marks.set(fn, ids);
  return fn;
}

export function isDecorated(fn: object, id: string): boolean {
  return appliedMarks().get(fn)?.has(id) ?? false;
}
