-- +goose Up
-- Multipass sign-in: a shop's secret, sealed with the server keys; the
-- customer's id in the shop's own sign-in system; and the keyed hashes
-- of the tokens already used, each kept until the token has expired.
ALTER TABLE shops ADD COLUMN multipass_secret BLOB;
ALTER TABLE customers ADD COLUMN multipass_identifier TEXT;
CREATE UNIQUE INDEX customers_multipass_identifier ON customers (shop_id, multipass_identifier)
	WHERE multipass_identifier IS NOT NULL;
CREATE TABLE multipass_tokens (
	hash       BLOB    PRIMARY KEY,
	shop_id    INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL
);
CREATE INDEX multipass_tokens_expiry ON multipass_tokens (expires_at);

-- +goose Down
DROP TABLE multipass_tokens;
DROP INDEX customers_multipass_identifier;
ALTER TABLE customers DROP COLUMN multipass_identifier;
ALTER TABLE shops DROP COLUMN multipass_secret;
