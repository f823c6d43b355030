-- +goose Up
-- Multipass sign-in: a shop's secret, sealed with the server keys; the
-- keyed hashes of the tokens already used, each kept until the token has
-- expired; and customers' ids in the shop's own sign-in system.
ALTER TABLE shops ADD COLUMN multipass_secret BYTEA;
CREATE TABLE multipass_tokens (
	hash       BYTEA       PRIMARY KEY,
	shop_id    BIGINT      NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX multipass_tokens_expiry ON multipass_tokens (expires_at);
CREATE TABLE multipass_identities (
	shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	identifier  TEXT   NOT NULL,
	customer_id BIGINT NOT NULL UNIQUE REFERENCES customers (id) ON DELETE CASCADE,
	PRIMARY KEY (shop_id, identifier)
);

-- +goose Down
DROP TABLE multipass_identities;
DROP TABLE multipass_tokens;
ALTER TABLE shops DROP COLUMN multipass_secret;
