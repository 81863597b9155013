import {
  type KeepWarmVerdict,
  type KeepWarmVerdicts,
  writeKeepWarmVerdicts,
} from "@cloudsigma/taas-core/contracts/keep-warm";
import { errorText } from "@cloudsigma/taas-core/error-text";
import type { KeepWarmGroup } from "./advice-types.ts";
import { type AdvisorLookups, readKeepWarm } from "./read.ts";

/** The history each verdict is drawn from. */
const HISTORY_MS = 7 * 86_400_000;

/**
 * Each agent's verdict from the advice: a ping pays for the agent when it pays for any of its
 * models (the most pings per gap any of them earns); otherwise the basis of its model with the
 * most gaps (the one its conversations mostly use).
 */
export function verdictsOf(groups: readonly KeepWarmGroup[]): Record<string, KeepWarmVerdict> {
  const agents: Record<string, KeepWarmVerdict> = {};
  const gapsOf = new Map<string, number>();
  for (const g of groups) {
    if (g.agent === null) continue;
    const current = agents[g.agent];
    const paying = g.basis === "pays";
    if (
      !current ||
      (paying && (current.basis !== "pays" || g.pingsPerGap > current.pingsPerGap)) ||
      (!paying && current.basis !== "pays" && g.gaps > (gapsOf.get(g.agent) ?? 0))
    ) {
      agents[g.agent] = { pingsPerGap: g.pingsPerGap, basis: g.basis };
      gapsOf.set(g.agent, g.gaps);
    }
  }
  return agents;
}

export interface PublisherOptions {
  dbPath: () => string;
  stateDir: () => string;
  lookups: () => AdvisorLookups;
  everyMs: number;
  /** Writes queued rows first, so the newest calls count. */
  flush: () => void;
  warn: (message: string) => void;
  now?: () => number;
}

/**
 * Computes the advice on a timer in the gateway (never on a turn's path) and writes the
 * verdicts through the keep-warm seam for the token-cache optimizer's pinger. A failure is
 * said once until a run succeeds again.
 */
export class KeepWarmPublisher {
  readonly #options: PublisherOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #failing = false;

  constructor(options: PublisherOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer || this.#options.everyMs <= 0) return;
    this.#timer = setInterval(() => void this.publish(), this.#options.everyMs);
    this.#timer.unref?.();
    void this.publish();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async publish(): Promise<KeepWarmVerdicts | undefined> {
    const o = this.#options;
    try {
      o.flush();
      const now = (o.now ?? Date.now)();
      const advice = readKeepWarm(
        o.dbPath(),
        { since: now - HISTORY_MS, until: now + 1 },
        o.lookups(),
      );
      const verdicts = { computedAt: now, agents: verdictsOf(advice.groups) };
      await writeKeepWarmVerdicts(o.stateDir(), verdicts);
      this.#failing = false;
      return verdicts;
    } catch (error) {
      if (!this.#failing) o.warn(`keep-warm advice not written: ${errorText(error)}`);
      this.#failing = true;
      return undefined;
    }
  }
}
