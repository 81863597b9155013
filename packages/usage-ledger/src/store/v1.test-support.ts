import { USAGE_ROWS_V1 } from "./migrate.ts";

/**
 * A ledger as version 1 of the plugin left it on operators' machines, for the migration tests:
 * its `usage_rows` (kept frozen as USAGE_ROWS_V1, checked column by column in the migration
 * test), its rollup and trigger verbatim, and `user_version = 1`.
 */
export const LEDGER_V1_FILE = `${USAGE_ROWS_V1}
CREATE TABLE IF NOT EXISTS usage_hourly (
  hour_ms INTEGER NOT NULL,
  agent_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  session_key TEXT NOT NULL,
  trigger TEXT NOT NULL,
  rows INTEGER NOT NULL,
  calls INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  input INTEGER NOT NULL,
  output INTEGER NOT NULL,
  cache_read INTEGER NOT NULL,
  cache_write INTEGER NOT NULL,
  total INTEGER NOT NULL,
  cost_nusd INTEGER NOT NULL,
  cost_unknown_rows INTEGER NOT NULL,
  saving_nusd INTEGER NOT NULL,
  PRIMARY KEY (hour_ms, agent_id, provider, model, session_key, trigger)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS usage_rows_rollup AFTER INSERT ON usage_rows BEGIN
  INSERT INTO usage_hourly (hour_ms, agent_id, provider, model, session_key, trigger, rows, calls,
    errors, input, output, cache_read, cache_write, total, cost_nusd, cost_unknown_rows, saving_nusd)
  VALUES ((NEW.ts / 3600000) * 3600000, coalesce(NEW.agent_id, ''), coalesce(NEW.provider, ''),
    coalesce(NEW.model, ''), coalesce(NEW.session_key, ''), coalesce(NEW.trigger, ''), 1, NEW.calls,
    coalesce(NEW.outcome = 'error', 0), NEW.input, NEW.output, NEW.cache_read, NEW.cache_write,
    NEW.total, coalesce(NEW.cost_nusd, 0), NEW.cost_nusd IS NULL, coalesce(NEW.saving_nusd, 0))
  ON CONFLICT (hour_ms, agent_id, provider, model, session_key, trigger) DO UPDATE SET
    rows = rows + 1, calls = calls + excluded.calls, errors = errors + excluded.errors,
    input = input + excluded.input, output = output + excluded.output,
    cache_read = cache_read + excluded.cache_read, cache_write = cache_write + excluded.cache_write,
    total = total + excluded.total, cost_nusd = cost_nusd + excluded.cost_nusd,
    cost_unknown_rows = cost_unknown_rows + excluded.cost_unknown_rows,
    saving_nusd = saving_nusd + excluded.saving_nusd;
END;

PRAGMA user_version = 1;
`;

export const INSERT_V1_ROW = `
INSERT INTO usage_rows (event_id, ts, granularity, calls, agent_id, session_key, session_id,
  run_id, call_id, trigger, provider, model, upstream_route, input, output, cache_read,
  cache_write, total, usage_known, cost_nusd, cost_source, saving_nusd, latency_ms, ttfb_ms,
  outcome, error_category, recorded_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (event_id) DO NOTHING`;
