/**
 * Process-wide state for plugins whose module is evaluated several times in one process (the
 * host registers a plugin once per surface: agent hooks, gateway methods and the CLI each get
 * their own module instance). An object those instances must share, such as the one database
 * writer per file, lives in a typed slot here; each plugin's `runtime.ts` declares its slots,
 * and nothing else in a plugin touches process-wide state.
 *
 * Shutdown is one mechanism for every writer: tasks registered with a plugin's shutdown group
 * run, in order, when the plugin runs its group (its `gateway_stop` hook) and, synchronously,
 * when the process exits, so queued rows reach disk before the process ends.
 */

interface SlotEntry {
  value: unknown;
  /** The first asker's settings, as JSON: later askers are compared with it. */
  settings: string;
  conflictReported: boolean;
}

interface ShutdownTask {
  order: number;
  run: () => void;
}

interface ProcessScope {
  slots: Map<string, Map<string, SlotEntry>>;
  shutdown: Map<string, Map<string, ShutdownTask>>;
  exitHookInstalled: boolean;
}

const SCOPE_KEY = Symbol.for("cloudsigma.taas-suite.process-scope.v2");

function scope(): ProcessScope {
  const holder = globalThis as { [SCOPE_KEY]?: ProcessScope };
  holder[SCOPE_KEY] ??= { slots: new Map(), shutdown: new Map(), exitHookInstalled: false };
  return holder[SCOPE_KEY];
}

interface ObtainOptions {
  /**
   * What the value was built from (a plugin's parsed config). A later asker whose settings
   * differ still gets the first value, because there is one writer per file, and the
   * difference is reported once through `onConflict`.
   */
  settings?: unknown;
  onConflict?: (message: string) => void;
}

/** One kind of shared object, keyed by what makes an instance distinct (usually a file path). */
interface ProcessSlot<T> {
  readonly name: string;
  /** The value for `key` in this process, created by whichever module instance asks first. */
  obtain(key: string, create: () => T, options?: ObtainOptions): T;
  peek(key: string): T | undefined;
  /** Drops the value for `key` (after its resource was closed for good). */
  forget(key: string): void;
}

/** Declares a typed slot; `name` must be unique in the suite (plugin id and purpose). */
export function processSlot<T>(name: string): ProcessSlot<T> {
  const entries = (): Map<string, SlotEntry> => {
    const { slots } = scope();
    let found = slots.get(name);
    if (!found) {
      found = new Map();
      slots.set(name, found);
    }
    return found;
  };
  return {
    name,
    obtain(key, create, options = {}) {
      const map = entries();
      const settings = JSON.stringify(options.settings ?? null) ?? "null";
      const existing = map.get(key);
      if (existing) {
        if (existing.settings !== settings && !existing.conflictReported) {
          existing.conflictReported = true;
          options.onConflict?.(
            `${name}: another instance of the plugin asked for ${key} with different settings (${changedKeys(existing.settings, settings)}); the first instance's settings stay in force until the gateway restarts`,
          );
        }
        return existing.value as T;
      }
      const value = create();
      map.set(key, { value, settings, conflictReported: false });
      return value;
    },
    peek: (key) => entries().get(key)?.value as T | undefined,
    forget: (key) => {
      entries().delete(key);
    },
  };
}

function changedKeys(firstJson: string, nextJson: string): string {
  const first = parseObject(firstJson);
  const next = parseObject(nextJson);
  if (!first || !next) return "differs";
  const keys = new Set([...Object.keys(first), ...Object.keys(next)]);
  const changed = [...keys].filter(
    (key) => JSON.stringify(first[key]) !== JSON.stringify(next[key]),
  );
  return changed.length > 0 ? `differs in ${changed.join(", ")}` : "differs";
}

function parseObject(json: string): Record<string, unknown> | undefined {
  const value: unknown = JSON.parse(json);
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A plugin's shutdown tasks: trackers drain before writers close, by `order`. */
export interface ShutdownGroup {
  readonly owner: string;
  /** Registers (or replaces) the task `id`; lower `order` runs first. */
  add(id: string, run: () => void, order?: number): void;
  remove(id: string): void;
  /** Runs every task of this group now; one failing task never stops the rest. */
  run(): void;
}

export function shutdownGroup(owner: string): ShutdownGroup {
  const tasks = (): Map<string, ShutdownTask> => {
    const current = scope();
    let found = current.shutdown.get(owner);
    if (!found) {
      found = new Map();
      current.shutdown.set(owner, found);
    }
    return found;
  };
  return {
    owner,
    add(id, run, order = 0) {
      tasks().set(id, { order, run });
      installExitHook();
    },
    remove(id) {
      tasks().delete(id);
    },
    run: () => runTasks(tasks()),
  };
}

function runTasks(tasks: Map<string, ShutdownTask>): void {
  const ordered = [...tasks.values()].sort((a, b) => a.order - b.order);
  for (const task of ordered) {
    try {
      task.run();
    } catch {
      // Shutdown is best effort per task; the others still run.
    }
  }
}

function installExitHook(): void {
  const current = scope();
  if (current.exitHookInstalled) return;
  current.exitHookInstalled = true;
  process.once("exit", () => {
    for (const tasks of scope().shutdown.values()) runTasks(tasks);
  });
}
