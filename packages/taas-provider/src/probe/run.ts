import {
  type ProbedGeometry,
  probedGeometryPath,
  writeProbedGeometry,
} from "@cloudsigma/taas-core/contracts/probed-geometry";
import { errorText } from "@cloudsigma/taas-core/error-text";
import type { PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import { PROVIDER_ALIAS, PROVIDER_ID } from "../identity.ts";
import { costUsd, ProbeBudget, ProbeStop } from "./budget.ts";
import { endpointProblem, probeClient } from "./client.ts";
import { estimateModel } from "./estimate.ts";
import { type MeasureOptions, measureModel, type ProbeClock, ratePacer } from "./measure.ts";
import { estimateText, type ModelReport, type ProbeReport, reportText } from "./output.ts";
import type { ModelProbe } from "./result.ts";

export interface ProbeRun {
  baseUrl: string;
  apiKey: string;
  models: readonly string[];
  measure: MeasureOptions;
  caps: { maxRequests: number; maxTokens: number };
  timeoutMs: number;
  json: boolean;
  /** Skip the confirmation. */
  yes: boolean;
}

export interface ProbeIo {
  stateDir: string;
  prices: PriceLookup;
  pluginVersion: string;
  clock: ProbeClock;
  fetch?: typeof fetch;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Asks the operator; undefined when nobody can answer (no terminal). */
  confirm: ((question: string) => Promise<boolean>) | undefined;
  now?: () => Date;
}

/** The agent id the probe's requests carry: TaaS honours an id only with one. */
const PROBE_AGENT_ID = "cloudsigma-probe";

/**
 * `openclaw cloudsigma probe`: estimate, confirm, measure each model, save what was measured
 * on the probed-geometry seam, report. Returns the exit code: 0 done, 1 stopped (one line on
 * stderr: what stopped it and what was spent; models finished before it are saved), 2 not run.
 */
export async function runProbe(run: ProbeRun, io: ProbeIo): Promise<number> {
  const problem = endpointProblem(run.baseUrl);
  if (problem) {
    io.err(`cloudsigma probe: not run: ${problem}\n`);
    return 2;
  }
  const prices = (model: string) => io.prices(PROVIDER_ID, model);
  const estimates = new Map(run.models.map((m) => [m, estimateModel(run.measure, prices(m))]));
  io.err(estimateText(run.baseUrl, estimates));
  io.err(
    `caps: ${run.caps.maxRequests} requests, ${run.caps.maxTokens.toLocaleString("en-US")} tokens for the whole run\n`,
  );
  if (!run.yes) {
    if (!io.confirm) {
      io.err("cloudsigma probe: not run: nobody to confirm the spend; add --yes to run it\n");
      return 2;
    }
    if (!(await io.confirm("Send these requests? [y/N] "))) {
      io.err("cloudsigma probe: not run\n");
      return 2;
    }
  }
  const budget = new ProbeBudget(run.caps);
  const send = probeClient({
    baseUrl: run.baseUrl,
    apiKey: run.apiKey,
    pluginVersion: io.pluginVersion,
    timeoutMs: run.timeoutMs,
    budget,
    fetch: io.fetch,
  });
  const probedAt = (io.now ?? (() => new Date()))().toISOString();
  const report: ProbeReport = { endpoint: run.baseUrl, probedAt, models: [] };
  const pace = ratePacer(run.measure.ratePerMinute, io.clock);
  for (const model of run.models) {
    let probe: ModelProbe;
    try {
      probe = await measureModel(model, run.measure, {
        send,
        clock: io.clock,
        progress: (line) => io.err(`  ${line}\n`),
        agentId: PROBE_AGENT_ID,
        pace,
      });
    } catch (error) {
      if (!(error instanceof ProbeStop)) throw error;
      const { requests, tokens } = error.spent;
      io.err(
        `cloudsigma probe: stopped: ${error.message}; spent ${requests} requests, about ${tokens.toLocaleString("en-US")} tokens; nothing more sent\n`,
      );
      return 1;
    }
    const spent = budget.reported(model);
    const saved = await save(run, io.stateDir, probe, probedAt);
    report.models.push({ probe, spent, costUsd: costUsd(spent, prices(model)), saved });
  }
  io.out(run.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
  return 0;
}

/** What the accounting can use of a measurement, or why it cannot. */
export function geometryOf(probe: ModelProbe, probedAt: string): ProbedGeometry | string {
  if (!probe.cached || probe.minTokens === null) return "nothing was read from cache";
  if (probe.stepTokens === null) return "the step was not seen";
  return {
    probedAt,
    minTokens: probe.minTokens,
    stepTokens: probe.stepTokens,
    plateauTokens: probe.plateauTokens,
    searchedTokens: probe.longestPrefixTokens,
    readyDelayMs: probe.readyDelay.atMostMs ?? 0,
    ttlMs: probe.lifetime?.goneMs ?? null,
    reportsWrites: probe.reportsWrites,
  };
}

async function save(
  run: ProbeRun,
  stateDir: string,
  probe: ModelProbe,
  probedAt: string,
): Promise<ModelReport["saved"]> {
  const geometry = geometryOf(probe, probedAt);
  if (typeof geometry === "string") return { skipped: geometry };
  try {
    const providers = [PROVIDER_ID, PROVIDER_ALIAS];
    await writeProbedGeometry(stateDir, run.baseUrl, providers, probe.model, geometry);
    return { path: probedGeometryPath(stateDir) };
  } catch (error) {
    return { skipped: `cannot write it (${errorText(error, 200)})` };
  }
}
