import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";

/*
 * The original usage-ledger extension (a gist of custom OpenClaw extensions) kept its calls in
 * a SQLite file, `usage-ledger.db`, table `llm_usage_events`; dashboards (friday-dashboard's
 * usage summary) read that table. Its layout is declared here once, as that extension created
 * it, so the rows this ledger adds to it read exactly like the extension's own.
 */

export const GIST_TABLE = "llm_usage_events";

/** The extension's table and indexes, verbatim in meaning; IF NOT EXISTS, so it never alters one. */
export const GIST_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS llm_usage_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  request_id TEXT,
  model TEXT,
  provider TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  total_tokens INTEGER NOT NULL DEFAULT 0,
  cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_input_tokens INTEGER NOT NULL DEFAULT 0,
  latency_ms INTEGER,
  success INTEGER NOT NULL DEFAULT 1,
  source_event TEXT NOT NULL,
  raw_json TEXT
);
CREATE INDEX IF NOT EXISTS idx_llm_usage_events_ts ON llm_usage_events(ts);
CREATE INDEX IF NOT EXISTS idx_llm_usage_events_model_ts ON llm_usage_events(model, ts);
`;

/**
 * The `source_event` of the rows this ledger writes to the table. The extension named the hook
 * it recorded from (`llm_output`, ...); this name keeps the ledger's own rows apart, so an
 * import never takes them for the extension's history.
 */
export const LEDGER_SOURCE_EVENT = "usage-ledger";

/** Where the extension kept its file inside an agent workspace (its default place). */
const IN_WORKSPACE = join(".openclaw", "state", "usage-ledger.db");

export interface GistFileOptions {
  /** The ledger's own file (`dbPath`). */
  ledgerPath: string;
  stateDir: string;
  /** The host config's `agents.defaults.workspace`, when set. */
  configuredWorkspace?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The original extension's file this ledger works with, if any: the ledger's own file when
 * `dbPath` names one (it is used in place), else one found at the extension's default place,
 * `<workspace>/.openclaw/state/usage-ledger.db` (the configured workspace, OPENCLAW_WORKSPACE_DIR,
 * or `<state dir>/workspace`, the host's default). A file counts only when it exists and holds
 * `llm_usage_events`; nothing is created here.
 */
export function findGistFile(options: GistFileOptions): string | undefined {
  if (hasGistTable(options.ledgerPath)) return options.ledgerPath;
  for (const workspace of workspaces(options)) {
    const candidate = join(workspace, IN_WORKSPACE);
    if (candidate !== options.ledgerPath && hasGistTable(candidate)) return candidate;
  }
  return undefined;
}

function workspaces({ stateDir, configuredWorkspace, env }: GistFileOptions): string[] {
  const found = [configuredWorkspace?.trim(), env?.OPENCLAW_WORKSPACE_DIR?.trim()]
    .filter((dir): dir is string => Boolean(dir))
    .map((dir) => (dir.startsWith("~/") ? join(homedir(), dir.slice(2)) : dir))
    .map((dir) => (isAbsolute(dir) ? dir : resolve(stateDir, dir)));
  return [...new Set([...found, join(stateDir, "workspace")])];
}

/** Whether `path` is an existing SQLite file with the extension's table (read-only look). */
export function hasGistTable(path: string): boolean {
  if (!existsSync(path)) return false;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const row = db
      .prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(GIST_TABLE);
    return row !== undefined;
  } catch {
    return false; // not a database, or unreadable: not the extension's file
  } finally {
    db?.close();
  }
}
