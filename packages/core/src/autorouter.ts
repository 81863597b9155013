/**
 * TaaS's autorouter as its clients name it: the model id that asks TaaS to choose the model,
 * and the per-session algorithms a request may ask it to choose with
 * (`cloudsigma/openclaw-taas-provider` index.ts, 0.2.2+; CHANGELOG 0.2.3). TaaS names the
 * algorithms but does not document how each chooses.
 */
export const AUTO_MODEL_ID = "auto";

export const AUTOROUTER_ALGORITHMS = [
  "best_fit",
  "price_performance",
  "savings_curve",
  "cost",
  "ttft",
  "tps",
] as const;

export type AutorouterAlgorithm = (typeof AUTOROUTER_ALGORITHMS)[number];

/** The request header that carries the algorithm (TaaS answers which one it used in `...-Source`). */
export const AUTOROUTER_ALGORITHM_HEADER = "X-TaaS-Autorouter-Algorithm";

export const isAutorouterAlgorithm = (value: unknown): value is AutorouterAlgorithm =>
  AUTOROUTER_ALGORITHMS.some((name) => name === value);
