-- +goose Up
-- Indexes that keep every statement of the hot path and of the worker
-- bounded by the rows it returns or changes, whatever the history kept:
-- pruning sent mail by sent_at; listing every mail newest first; voiding a
-- customer's open tokens without visiting every token they ever had; and
-- deleting access and customer tokens by expiry.
CREATE INDEX outbox_sent ON outbox (status, sent_at) WHERE status = 'sent';
CREATE INDEX outbox_created ON outbox (created_at);
CREATE INDEX customer_tokens_open ON customer_tokens (customer_id, purpose) WHERE used_at IS NULL;
CREATE INDEX customer_tokens_expiry ON customer_tokens (expires_at);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);

-- +goose Down
DROP INDEX access_tokens_expiry;
DROP INDEX customer_tokens_expiry;
DROP INDEX customer_tokens_open;
DROP INDEX outbox_created;
DROP INDEX outbox_sent;
