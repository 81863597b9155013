/**
 * The gate's ledger. Every inbound message on the watched channel (ids only, no text),
 * every armed request, every outbound decision for a protected peer (with its text), the
 * threads requests belong to and the live arms. Idempotent: run on every open.
 */
export const GATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS seen_messages (
  channel TEXT NOT NULL,
  message_id TEXT NOT NULL,
  sender TEXT,
  peer TEXT,
  triggered INTEGER NOT NULL DEFAULT 0,
  request_id TEXT,
  thread_id TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (channel, message_id)
);
CREATE TABLE IF NOT EXISTS threads (
  thread_id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  peer TEXT NOT NULL,
  topic TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS threads_by_peer ON threads (channel, peer, topic, updated_at);
CREATE TABLE IF NOT EXISTS requests (
  request_id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  sender TEXT NOT NULL,
  peer TEXT NOT NULL,
  inbound_message_id TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  trigger_text TEXT,
  body TEXT,
  status TEXT NOT NULL CHECK (status IN ('received', 'responded', 'missed')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_response_at INTEGER,
  rearmed_at INTEGER
);
CREATE INDEX IF NOT EXISTS requests_by_peer ON requests (channel, peer, status, created_at);
CREATE TABLE IF NOT EXISTS responses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT,
  outbound_message_id TEXT,
  channel TEXT NOT NULL,
  peer TEXT NOT NULL,
  kind TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('allowed', 'cancelled')),
  reason TEXT NOT NULL,
  content TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS arms (
  arm_key TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  peer TEXT NOT NULL,
  request_id TEXT NOT NULL,
  source_message_id TEXT,
  sender TEXT,
  expires_at INTEGER NOT NULL,
  uses_left INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
`;

export type RequestStatus = "received" | "responded" | "missed";
export type ResponseDecision = "allowed" | "cancelled";
/** Why a send was allowed or cancelled, as stored in responses.reason. */
export type ResponseReason = "arm" | "watchdog" | "not-armed";

/** What an outbound decision reads of a conversation's arm (the rest of the row is there for inspection). */
export interface LiveArm {
  requestId: string;
  expiresAt: number;
  usesLeft: number;
}
