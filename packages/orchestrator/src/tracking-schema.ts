/**
 * The orchestrator's state: every subagent a tracked session spawned (orchestrator or worker),
 * spawns waiting for their child key, retry budgets and the retry decisions taken, plus small
 * per-session notes (last user message, last delegated task, policy block counts).
 * Idempotent: run on every open.
 */
export const TRACKING_SCHEMA = `
CREATE TABLE IF NOT EXISTS tracked_sessions (
  session_key TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('orchestrator', 'worker')),
  requester_session_key TEXT NOT NULL,
  label TEXT,
  task_preview TEXT NOT NULL,
  task_key TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  status TEXT NOT NULL,
  outcome TEXT,
  error TEXT,
  run_id TEXT,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX IF NOT EXISTS tracked_by_requester ON tracked_sessions (requester_session_key, kind, status);
CREATE TABLE IF NOT EXISTS pending_spawns (
  pending_key TEXT PRIMARY KEY,
  requester_session_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('orchestrator', 'worker')),
  label TEXT,
  spec_json TEXT NOT NULL,
  task_key TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_by_requester ON pending_spawns (requester_session_key, created_at);
CREATE TABLE IF NOT EXISTS retry_budgets (
  task_key TEXT PRIMARY KEY,
  requester_session_key TEXT NOT NULL,
  retries INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS retry_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_key TEXT NOT NULL,
  failed_session_key TEXT NOT NULL,
  requester_session_key TEXT NOT NULL,
  outcome TEXT NOT NULL,
  attempt INTEGER,
  decision TEXT NOT NULL CHECK (decision IN ('queued', 'exhausted', 'enqueue-failed')),
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS session_notes (
  session_key TEXT PRIMARY KEY,
  last_user_message TEXT,
  last_delegated_task TEXT,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS policy_blocks (
  block_key TEXT PRIMARY KEY,
  session_key TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
`;

export type SessionKind = "orchestrator" | "worker";
export type SessionStatus =
  | "running"
  | "ok"
  | "error"
  | "timeout"
  | "killed"
  | "reset"
  | "deleted"
  | "unknown";
export type RetryDecision = "queued" | "exhausted" | "enqueue-failed";

export interface TrackedSession {
  sessionKey: string;
  kind: SessionKind;
  requesterSessionKey: string;
  label: string | null;
  taskPreview: string;
  taskKey: string;
  specJson: string;
  status: string;
  outcome: string | null;
  startedAt: number;
  updatedAt: number;
}

export interface PendingSpawn {
  pendingKey: string;
  requesterSessionKey: string;
  kind: SessionKind;
  label: string | null;
  specJson: string;
  taskKey: string;
  createdAt: number;
}
