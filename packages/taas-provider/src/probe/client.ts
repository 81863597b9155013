import { readCappedText } from "@cloudsigma/taas-core/capped-body";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { quoted } from "@cloudsigma/taas-core/quoted";
import { isRecord } from "@cloudsigma/taas-core/records";
import { isLoopbackHost, modelsEndpoint } from "../discovery.ts";
import { redactSecret } from "../redact.ts";
import { type ProbeBudget, ProbeStop } from "./budget.ts";
import { promptText } from "./words.ts";

/** An answer to a one-token completion is small; anything bigger is not a completion. */
const MAX_ANSWER_BYTES = 256 * 1024;

/** What one probe request sends: a prompt of words, under a conversation's ids. */
export interface ProbeSend {
  model: string;
  words: readonly string[];
  /** The first `count` words (all by default). */
  count?: number;
  sessionId: string;
  /** Absent: the id travels without an agent id (to observe TaaS's identity rule). */
  agentId?: string;
}

/** What the probe reads of one answer. */
export interface ProbeAnswer {
  promptTokens: number;
  /** Tokens served from cache (`prompt_tokens_details.cached_tokens`, or Anthropic's read count). */
  cachedTokens: number;
  /** Anthropic-style `cache_creation_input_tokens`, when the answer reports writes at all. */
  writeTokens: number | undefined;
  outputTokens: number;
  /** The answer's TaaS header names (lower case), never their values. */
  headers: string[];
}

export interface ProbeClientOptions {
  /** The endpoint, ending in /v1. */
  baseUrl: string;
  apiKey: string;
  pluginVersion: string;
  timeoutMs: number;
  budget: ProbeBudget;
  fetch?: typeof fetch;
}

export type ProbeClient = (send: ProbeSend) => Promise<ProbeAnswer>;

/**
 * Why the key must not be sent to `baseUrl`, as discovery decides it: a plain http(s) URL
 * without credentials, and plain http only to loopback (the emulator, a local proxy).
 */
export function endpointProblem(baseUrl: string): string | undefined {
  const endpoint = modelsEndpoint(baseUrl);
  if (!endpoint) return `the endpoint ${quoted(baseUrl, 200)} is not a plain http(s) URL`;
  if (endpoint.protocol === "http:" && !isLoopbackHost(endpoint.hostname))
    return `refused to send the API key over plain http:// to ${quoted(endpoint.hostname, 100)} (not loopback); use https://`;
  return undefined;
}

/** Header names a TaaS answer may carry that tell the operator something (values are not kept). */
const TAAS_HEADER = /^(x-taas-|x-request-id$|x-trace-id$)/;

/**
 * One bounded chat completion per call: a one-token answer, the time budget covering the whole
 * exchange, the body read up to a cap. Every request is charged to the run's budget first, and
 * anything that makes the run's numbers meaningless (a refused key, no answer, an answer without
 * usable usage) throws a `ProbeStop` whose line says so, so nothing more is spent.
 */
export function probeClient(options: ProbeClientOptions): ProbeClient {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const where = quoted(options.baseUrl, 200);
  const stop = (line: string): ProbeStop =>
    new ProbeStop(redactSecret(line, options.apiKey), options.budget.spent());
  return async (send) => {
    const text = promptText(send.words, send.count);
    options.budget.charge(send.model, send.count ?? send.words.length);
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.apiKey}`,
      "content-type": "application/json",
      "X-Session-Id": send.sessionId,
      "X-OpenClaw-Session-Id": send.sessionId,
      "X-OpenClaw-Plugin-Version": options.pluginVersion,
    };
    if (send.agentId !== undefined) headers["X-OpenClaw-Agent-Id"] = send.agentId;
    const body = JSON.stringify({
      model: send.model,
      messages: [{ role: "user", content: text }],
      max_tokens: 1,
      stream: false,
      metadata: { session_id: send.sessionId, sticky_key: send.sessionId },
    });
    const signal = AbortSignal.timeout(options.timeoutMs);
    let raw: string | undefined;
    let response: Response;
    try {
      response = await doFetch(url, { method: "POST", headers, body, signal, redirect: "error" });
      raw = await readCappedText(response.body, MAX_ANSWER_BYTES);
    } catch (error) {
      if (signal.aborted)
        throw stop(`no answer from ${where} within ${options.timeoutMs / 1000} s (${send.model})`);
      throw stop(`cannot reach ${where} (${send.model}): ${errorText(error, 200)}`);
    }
    if (response.status === 401 || response.status === 403) {
      throw stop(`${where} refused the API key (HTTP ${response.status})`);
    }
    if (!response.ok) {
      throw stop(
        `${where} answered HTTP ${response.status} for ${quoted(send.model)}: ${quoted(raw ?? "(too large)", 200)}`,
      );
    }
    const usage = readUsage(raw);
    if (typeof usage === "string") {
      throw stop(`${where} answered ${quoted(send.model)} without usable usage (${usage})`);
    }
    options.budget.record(send.model, usage);
    const names = [...response.headers.keys()].map((name) => name.toLowerCase());
    return { ...usage, headers: names.filter((name) => TAAS_HEADER.test(name)).sort() };
  };
}

type ReadUsage = Omit<ProbeAnswer, "headers">;

const count = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;

/** The usage block of a completion, or what is wrong with it. */
export function readUsage(raw: string | undefined): ReadUsage | string {
  if (raw === undefined) return "the answer is larger than a completion";
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return "the answer is not JSON";
  }
  const usage = isRecord(body) ? body.usage : undefined;
  if (!isRecord(usage)) return "no usage object";
  const promptTokens = count(usage.prompt_tokens);
  if (promptTokens === undefined) return "prompt_tokens is not a token count";
  const details = usage.prompt_tokens_details;
  const openAiCached = isRecord(details) ? count(details.cached_tokens) : undefined;
  const anthropicRead = count(usage.cache_read_input_tokens);
  if (details !== undefined && details !== null && openAiCached === undefined)
    return "prompt_tokens_details.cached_tokens is not a token count";
  const cachedTokens = openAiCached ?? anthropicRead ?? 0;
  if (cachedTokens > promptTokens) return "more cached tokens than prompt tokens";
  const writeTokens =
    usage.cache_creation_input_tokens === undefined
      ? undefined
      : count(usage.cache_creation_input_tokens);
  if (usage.cache_creation_input_tokens !== undefined && writeTokens === undefined)
    return "cache_creation_input_tokens is not a token count";
  const outputTokens = count(usage.completion_tokens) ?? 0;
  return { promptTokens, cachedTokens, writeTokens, outputTokens };
}
