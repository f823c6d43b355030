-- +goose Up
ALTER TABLE shops ADD COLUMN mail_from TEXT NOT NULL DEFAULT '';
ALTER TABLE shops ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE shops ADD COLUMN locale TEXT NOT NULL DEFAULT '';

CREATE INDEX outbox_listing ON outbox (status, created_at);

-- +goose Down
DROP INDEX outbox_listing;
ALTER TABLE shops DROP COLUMN locale;
ALTER TABLE shops DROP COLUMN reply_to;
ALTER TABLE shops DROP COLUMN mail_from;
