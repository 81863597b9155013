import { readFileSync, statSync } from "node:fs";
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { processSlot } from "../process-scope.ts";
import { isRecord } from "../records.ts";
import { OPTIMIZER_PLUGIN_ID, USAGE_LEDGER_PLUGIN_ID } from "./plugin-ids.ts";

/**
 * The keep-warm seam. The usage ledger owns it: its advisor decides, per agent, from that
 * agent's own idle gaps and prices, whether re-sending a conversation's prompt before the
 * provider's cache expires pays, and how many pings per idle gap. The token-cache optimizer's
 * pinger reads the verdicts and only pings an agent the advisor says it pays for.
 *
 * A small JSON file under the ledger's folder in the state dir, replaced atomically: the ledger
 * computes it on its own timer in the gateway, the optimizer reads it off the turn's path.
 */
export const KEEP_WARM_PLUGINS = {
  owner: USAGE_LEDGER_PLUGIN_ID,
  readers: [OPTIMIZER_PLUGIN_ID],
} as const;

/** The trigger a ping's ledger row carries, so reports can tell pings from turns. */
export const KEEP_WARM_TRIGGER = "keepwarm";

/**
 * How long before the provider's TTL a ping goes out: a tenth of the TTL, at most 30 s (so a
 * 5-minute cache is pinged after 270 s idle). Both sides time pings with this one rule: the
 * advisor's break-even assumes the pinger's timing.
 */
export function pingAfterMs(ttlMs: number): number {
  return ttlMs - Math.min(30_000, ttlMs / 10);
}

/** What the advisor says of one agent. */
export interface KeepWarmVerdict {
  /** Pings per idle gap that pay (0: none does); the pinger's own cap still applies. */
  pingsPerGap: number;
  /**
   * `pays`/`does_not_pay`: decided from the agent's history; `no_history`: too few idle gaps to
   * decide (the pinger then pings only conversations active within the last few lifetimes);
   * `unknown_price`: a price the break-even needs is not known (no pings).
   */
  basis: "pays" | "does_not_pay" | "no_history" | "unknown_price";
}

export interface KeepWarmVerdicts {
  /** When the advisor computed them (epoch ms). */
  computedAt: number;
  /** By agent id. */
  agents: Record<string, KeepWarmVerdict>;
}

const FORMAT = 1;
const BASES = ["pays", "does_not_pay", "no_history", "unknown_price"] as const;

const keepWarmPath = (stateDir: string): string =>
  join(stateDir, KEEP_WARM_PLUGINS.owner, "keep-warm.json");

/** Writes the verdicts beside the old file and renames it over, so a reader never sees half. */
export async function writeKeepWarmVerdicts(
  stateDir: string,
  verdicts: KeepWarmVerdicts,
): Promise<void> {
  const path = keepWarmPath(stateDir);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ format: FORMAT, ...verdicts })}\n`, {
    mode: 0o600,
  });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** Parses the file's text; anything unreadable is no verdicts (never a throw). */
function parseKeepWarmVerdicts(text: string): KeepWarmVerdicts | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(body) || body.format !== FORMAT || !isRecord(body.agents)) return undefined;
  if (typeof body.computedAt !== "number") return undefined;
  const agents: Record<string, KeepWarmVerdict> = {};
  for (const [agent, value] of Object.entries(body.agents)) {
    if (!isRecord(value)) continue;
    const { pingsPerGap, basis } = value;
    if (typeof pingsPerGap !== "number" || !Number.isInteger(pingsPerGap) || pingsPerGap < 0)
      continue;
    if (!BASES.some((b) => b === basis)) continue;
    agents[agent] = { pingsPerGap, basis: basis as KeepWarmVerdict["basis"] };
  }
  return { computedAt: body.computedAt, agents };
}

/**
 * The read side: looks at the file at most once per `checkEveryMs` and reads it again only when
 * it changed. A missing file answers undefined (no advisor: no verdict for anyone).
 */
export class KeepWarmVerdictReader {
  readonly path: string;
  #verdicts: KeepWarmVerdicts | undefined;
  #stamp = "";
  #checkedAt = Number.NEGATIVE_INFINITY;
  readonly #checkEveryMs: number;
  readonly #now: () => number;

  constructor(stateDir: string, options: { checkEveryMs?: number; now?: () => number } = {}) {
    this.path = keepWarmPath(stateDir);
    this.#checkEveryMs = options.checkEveryMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  verdict(agentId: string): KeepWarmVerdict | undefined {
    this.#refresh();
    return this.#verdicts?.agents[agentId];
  }

  #refresh(): void {
    const now = this.#now();
    if (now - this.#checkedAt < this.#checkEveryMs) return;
    this.#checkedAt = now;
    let stamp = "";
    try {
      const stat = statSync(this.path);
      stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      if (stamp !== this.#stamp)
        this.#verdicts = parseKeepWarmVerdicts(readFileSync(this.path, "utf8"));
    } catch {
      this.#verdicts = undefined;
    }
    this.#stamp = stamp;
  }
}

/**
 * One ping as the pinger saw it, handed to the ledger in the same process so it becomes a row
 * of its own (trigger `keepwarm`): the host runs no agent turn for a ping, so its hooks, which
 * record every other call, never see it. `usage` is the provider's usage as the host's
 * transport reported it (normalised by the ledger like any call's).
 */
export interface KeepWarmPing {
  /** `keepwarm-<uuid>:model:1`: the optimizer's route capture of the ping is keyed by it too. */
  callId: string;
  ts: number;
  latencyMs: number;
  agentId: string;
  sessionId: string | null;
  provider: string;
  model: string;
  usage: unknown;
  outcome: "completed" | "error";
}

const pingListeners = processSlot<Set<(ping: KeepWarmPing) => void>>("core.keep-warm.pings");
const listeners = () => pingListeners.obtain("all", () => new Set());

/** The ledger listens for pings; returns the unsubscribe (call it on dispose). */
export function onKeepWarmPing(listener: (ping: KeepWarmPing) => void): () => void {
  listeners().add(listener);
  return () => listeners().delete(listener);
}

/** The pinger reports each ping; a listener that throws does not stop the others. */
export function reportKeepWarmPing(ping: KeepWarmPing): void {
  for (const listener of listeners()) {
    try {
      listener(ping);
    } catch {
      // The ledger's own failure; the ping happened either way.
    }
  }
}
