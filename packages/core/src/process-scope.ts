/**
 * Process-wide state for plugins whose module is evaluated several times in one process
 * (the host registers a plugin once per surface: hooks, gateway methods and CLI each get
 * their own module instance). Objects that must be shared between those instances, such as
 * one database writer per file, live here, under our own `Symbol.for` key on globalThis.
 * Shutdown tasks run in `order` on `runShutdown(prefix)` (e.g. from `gateway_stop`) and,
 * synchronously, when the process exits, so queued rows reach disk before the process ends.
 */

interface ShutdownTask {
  order: number;
  run: () => void;
}

interface ProcessScope {
  singletons: Map<string, unknown>;
  shutdown: Map<string, ShutdownTask>;
  exitHookInstalled: boolean;
}

const SCOPE_KEY = Symbol.for("cloudsigma.taas-suite.process-scope");

function scope(): ProcessScope {
  const holder = globalThis as { [SCOPE_KEY]?: ProcessScope };
  let found = holder[SCOPE_KEY];
  if (!found) {
    found = { singletons: new Map(), shutdown: new Map(), exitHookInstalled: false };
    holder[SCOPE_KEY] = found;
  }
  return found;
}

/** The one value for `key` in this process, created on first use. */
export function processSingleton<T>(key: string, create: () => T): T {
  const { singletons } = scope();
  if (singletons.has(key)) return singletons.get(key) as T;
  const value = create();
  singletons.set(key, value);
  return value;
}

/** Drops a singleton (tests; or after its resource was closed for good). */
export function forgetProcessSingleton(key: string): void {
  scope().singletons.delete(key);
}

/** Registers (or replaces) a shutdown task; lower `order` runs first. */
export function onShutdown(key: string, run: () => void, order = 0): void {
  const current = scope();
  current.shutdown.set(key, { order, run });
  if (!current.exitHookInstalled) {
    current.exitHookInstalled = true;
    process.once("exit", () => runShutdown(""));
  }
}

export function removeShutdownTask(key: string): void {
  scope().shutdown.delete(key);
}

/** Runs every shutdown task whose key starts with `prefix`; one failing task never stops the rest. */
export function runShutdown(prefix: string): void {
  const tasks = [...scope().shutdown.entries()]
    .filter(([key]) => key.startsWith(prefix))
    .sort(([, a], [, b]) => a.order - b.order);
  for (const [, task] of tasks) {
    try {
      task.run();
    } catch {
      // Shutdown is best effort per task; the others still run.
    }
  }
}
