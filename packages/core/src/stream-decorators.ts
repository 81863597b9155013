/**
 * A seam between this suite's plugins. The host runs exactly one provider plugin's
 * `wrapStreamFn` per provider id: when the TaaS provider plugin owns `cloudsigma`, the
 * optimizer's own provider hook (registered through `hookAliases`) is never consulted. So the
 * optimizer also publishes its wrapper here, and the provider plugin applies every published
 * decorator inside its own `wrapStreamFn`. It is process-wide (globalThis) because the host
 * evaluates each plugin module several times; a decorator is keyed by id, so re-registration
 * by another instance replaces rather than duplicates it.
 *
 * Generic over the context and stream function types: core never imports the host.
 */
export type StreamDecorator<Ctx, Fn> = (ctx: Ctx & { streamFn?: Fn }) => Fn | undefined;

const REGISTRY_KEY = Symbol.for("cloudsigma.taas.stream-decorators.v1");

type Registry = Map<string, StreamDecorator<never, unknown>>;

function registry(): Registry {
  const holder = globalThis as { [REGISTRY_KEY]?: Registry };
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

export function publishStreamDecorator<Ctx, Fn>(
  id: string,
  decorator: StreamDecorator<Ctx, Fn>,
): void {
  registry().set(id, decorator as StreamDecorator<never, unknown>);
}

export function withdrawStreamDecorator(id: string): void {
  registry().delete(id);
}

/** Applies every published decorator in publication order; each sees the previous result. */
export function applyStreamDecorators<Ctx, Fn>(ctx: Ctx & { streamFn?: Fn }): Fn | undefined {
  let streamFn = ctx.streamFn;
  for (const decorator of registry().values()) {
    streamFn = (decorator as unknown as StreamDecorator<Ctx, Fn>)({ ...ctx, streamFn }) ?? streamFn;
  }
  return streamFn;
}

export function publishedStreamDecoratorIds(): string[] {
  return [...registry().keys()];
}
