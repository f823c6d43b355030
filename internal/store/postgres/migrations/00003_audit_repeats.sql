-- +goose Up
-- A client repeating a refused request adds one row per window with a
-- count, not one row per request: events with a repeat_key are folded into
-- the row holding the same key.
ALTER TABLE audit_events ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_events ADD COLUMN last_at TIMESTAMPTZ;
ALTER TABLE audit_events ADD COLUMN repeat_key TEXT NOT NULL DEFAULT '';
UPDATE audit_events SET last_at = at;
ALTER TABLE audit_events ALTER COLUMN last_at SET NOT NULL;
CREATE UNIQUE INDEX audit_events_repeat ON audit_events (shop_id, repeat_key) WHERE repeat_key <> '';

-- +goose Down
DROP INDEX audit_events_repeat;
ALTER TABLE audit_events DROP COLUMN repeat_key;
ALTER TABLE audit_events DROP COLUMN last_at;
ALTER TABLE audit_events DROP COLUMN count;
