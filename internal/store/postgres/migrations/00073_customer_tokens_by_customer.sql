-- +goose Up
-- A one-time token is looked up through its customer, whose id every
-- reset and activation link and mutation carries, among that customer's
-- open tokens (customer_tokens_open), then its keyed hash compared. The
-- unique index of hashes was written at a random place on every issue,
-- a page a token once the history outgrew the cache, and nothing reads
-- it now; customer_tokens_customer served only what customer_tokens_open
-- serves.
ALTER TABLE customer_tokens DROP CONSTRAINT customer_tokens_hash;
DROP INDEX customer_tokens_customer;

-- +goose Down
CREATE INDEX customer_tokens_customer ON customer_tokens (customer_id, purpose);
ALTER TABLE customer_tokens ADD CONSTRAINT customer_tokens_hash UNIQUE (hash);
