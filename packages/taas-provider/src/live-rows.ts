import { isRecord } from "@cloudsigma/taas-core/records";
import { windowTokens } from "@cloudsigma/taas-core/token-window";
import { catalogCost, INVALID_PRICING, readListedPricing } from "./listed-prices.ts";
import { nonChatKindOf } from "./model-kind.ts";
import type { ModelDefinition } from "./model-types.ts";
import { TAAS_COMPAT } from "./seed-catalog.ts";

/**
 * Projection of TaaS `/models` rows into host model rows. TaaS documents no listing format: the
 * fields read here (`type`, `capabilities`, `context_window`, `max_output_tokens`, `pricing`)
 * are the ones CloudSigma's own provider reads (`provider-models.ts`), and the emulator lists
 * rows of that layout. The gateway's listing is advisory:
 * a row is used only when it says it serves chat completions, image input only when it is typed
 * `vision` AND declares the vision capability, and a row that breaks the shape is skipped on
 * its own without spoiling the rest of the list. A plain OpenAI row (no `type`, no
 * `capabilities`) is a text-only chat route unless its id names a non-chat kind.
 */

/** Conservative limits for live rows that omit them: this plugin's choice, no source states one. */
export const LIVE_DEFAULT_CONTEXT_WINDOW = 32_000;
export const LIVE_DEFAULT_MAX_OUTPUT = 4_096;

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const CHAT_TYPES = new Set(["chat", "vision"]);
/** What a plain OpenAI row is read as: chat completions, nothing else declared. */
const PLAIN_CHAT = { type: "chat", capabilities: { chat_completions: true } } as const;

export type RowVerdict =
  | { kind: "chat"; model: ModelDefinition }
  | { kind: "not-chat"; id: string }
  | { kind: "malformed" };

export interface ProjectedRows {
  models: ModelDefinition[];
  /** Rows that broke the expected shape. */
  malformed: number;
  /** Well-formed rows that do not serve chat completions (embeddings, rerankers, ...). */
  notChat: number;
}

/** The `data` array of an OpenAI-style list, or undefined when the body is not one. */
export function readListRows(body: unknown): unknown[] | undefined {
  if (!isRecord(body)) return undefined;
  return Array.isArray(body.data) ? body.data : undefined;
}

export function projectRows(rows: readonly unknown[]): ProjectedRows {
  const out: ProjectedRows = { models: [], malformed: 0, notChat: 0 };
  const seen = new Set<string>();
  for (const row of rows) {
    const verdict = projectRow(row);
    if (verdict.kind === "malformed") out.malformed += 1;
    else if (verdict.kind === "not-chat") out.notChat += 1;
    else if (!seen.has(verdict.model.id)) {
      seen.add(verdict.model.id);
      out.models.push(verdict.model);
    }
  }
  return out;
}

export function projectRow(row: unknown): RowVerdict {
  if (!isRecord(row)) return { kind: "malformed" };
  const { id } = row;
  if (typeof id !== "string" || !MODEL_ID.test(id)) return { kind: "malformed" };
  const plain = row.type === undefined && row.capabilities === undefined;
  if (plain && nonChatKindOf(id)) return { kind: "not-chat", id };
  const { type, capabilities }: Record<string, unknown> = plain ? PLAIN_CHAT : row;
  if (typeof type !== "string" || !isRecord(capabilities)) return { kind: "malformed" };
  const chat = optionalBoolean(capabilities.chat_completions);
  if (chat === INVALID) return { kind: "malformed" };
  // Embeddings, rerankers and the like: their token fields mean something else; not our rows.
  if (!CHAT_TYPES.has(type) || chat !== true) return { kind: "not-chat", id };
  const vision = optionalBoolean(capabilities.vision);
  const reasoning = optionalBoolean(capabilities.reasoning);
  const contextWindow = optionalCount(row.context_window);
  const maxOutput = optionalCount(row.max_output_tokens);
  const price = readListedPricing(row.pricing);
  if (
    [vision, reasoning, contextWindow, maxOutput].includes(INVALID) ||
    price === INVALID_PRICING
  ) {
    return { kind: "malformed" };
  }
  const image = type === "vision" && vision === true;
  return {
    kind: "chat",
    model: {
      id,
      name: id,
      reasoning: reasoning === true,
      input: image ? ["text", "image"] : ["text"],
      cost: catalogCost(price),
      contextWindow:
        typeof contextWindow === "number" ? contextWindow : LIVE_DEFAULT_CONTEXT_WINDOW,
      maxTokens: typeof maxOutput === "number" ? maxOutput : LIVE_DEFAULT_MAX_OUTPUT,
      compat: { ...TAAS_COMPAT },
    },
  };
}

const INVALID = Symbol("invalid");
type Checked<T> = T | undefined | typeof INVALID;

function optionalBoolean(value: unknown): Checked<boolean> {
  if (value === undefined) return undefined;
  return typeof value === "boolean" ? value : INVALID;
}

/** A listed limit: a whole number of tokens within what any window holds (`token-window.ts`). */
function optionalCount(value: unknown): Checked<number> {
  if (value === undefined || value === null) return undefined;
  const tokens = typeof value === "number" ? windowTokens(value) : undefined;
  return tokens ?? INVALID;
}
