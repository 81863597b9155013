const SHARED_KEY = Symbol.for("cloudsigma.openclaw-taas-affinity.shared.v1");

/**
 * A value created once per process and state dir. The host evaluates this plugin module
 * several times (one instance per registration mode, more on reloads); without this each
 * instance would open its own database connection and writer.
 */
export function processShared<T>(stateDir: string, create: () => T): T {
  const holder = globalThis as { [SHARED_KEY]?: Map<string, unknown> };
  holder[SHARED_KEY] ??= new Map();
  const existing = holder[SHARED_KEY].get(stateDir);
  if (existing !== undefined) return existing as T;
  const value = create();
  holder[SHARED_KEY].set(stateDir, value);
  return value;
}
