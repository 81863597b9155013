import { setTimeout as delay } from "node:timers/promises";

/**
 * What a probe returns: `undefined` or `false` means "not yet", anything else is the awaited
 * value. `false` counts as "not yet" so a plain condition (`() => rows().length === 0`) is a
 * probe too; to wait for a value that may itself be `false`, return it wrapped (`{ value }`).
 * A probe that throws ends the wait with its error: a broken read is not "not yet".
 */
export type Probe<T> = () => T | undefined | false | Promise<T | undefined | false>;

export interface PollOptions {
  /** Default 15 s. The probe runs at least once, and once more at the deadline. */
  timeoutMs?: number;
  /** Pause between probes; default 200 ms (a probe may read SQLite or scan every request). */
  intervalMs?: number;
  /**
   * Checked after each "not yet": a reason to stop early, e.g. the process that was to produce
   * the value has exited, so waiting on would only burn the time-out.
   */
  giveUpIf?: () => string | undefined;
}

export type PollOutcome<T> =
  | { done: true; value: T }
  | { done: false; last: unknown; reason: string };

/**
 * The one polling loop of the harness. It reports rather than throws, for callers to whom running
 * out of time is an ordinary outcome (reaping processes); tests want `waitFor`.
 */
export async function poll<T>(probe: Probe<T>, options: PollOptions = {}): Promise<PollOutcome<T>> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return { done: true, value };
    const reason = options.giveUpIf?.();
    if (reason !== undefined) return { done: false, last: value, reason };
    const left = deadline - Date.now();
    if (left <= 0) return { done: false, last: value, reason: `timed out after ${timeoutMs} ms` };
    await delay(Math.min(options.intervalMs ?? 200, left));
  }
}

export interface WaitOptions extends PollOptions {
  /** Where to read what happened (a state dir's logs), named in the error. */
  logs?: string;
}

/**
 * Polls `probe` until it returns a value (see `Probe`) and returns that value. On time-out (or
 * `giveUpIf`) it throws an Error naming `label` and what the probe last returned, so a failed
 * wait says what it saw instead of leaving a later assertion to fail on an empty value.
 * A number as the third argument is the time-out.
 */
export async function waitFor<T>(
  label: string,
  probe: Probe<T>,
  options: number | WaitOptions = {},
): Promise<T> {
  const settings = typeof options === "number" ? { timeoutMs: options } : options;
  const outcome = await poll(probe, settings);
  if (outcome.done) return outcome.value;
  const logs = settings.logs ? `; logs: ${settings.logs}` : "";
  throw new Error(
    `waiting for ${label}: ${outcome.reason}; the probe last returned ${describe(outcome.last)}${logs}`,
  );
}

const DESCRIBE_MAX = 300;

/** A short, always-printable rendering of a probe's last value. */
function describe(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? "undefined" : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > DESCRIBE_MAX
    ? `${text.slice(0, DESCRIBE_MAX)}… (${text.length} chars)`
    : text;
}

/** A probe's answer for "some rows yet?": the list once it is non-empty, else "not yet". */
export const nonEmpty = <T>(items: T[]): T[] | undefined => (items.length > 0 ? items : undefined);
