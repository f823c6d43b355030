-- +goose Up
-- A one-time token is looked up through its customer, whose id every
-- reset and activation link and mutation carries, among that customer's
-- open tokens (customer_tokens_open), then its keyed hash compared. The
-- unique index of hashes was written at a random place on every issue,
-- a page a token once the history outgrew the cache, and nothing reads
-- it now; customer_tokens_customer served only what customer_tokens_open
-- serves. A column's UNIQUE cannot be dropped in SQLite: the table is
-- rebuilt, keeping its ids and its AUTOINCREMENT sequence.
CREATE TABLE customer_tokens_next (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id     INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	purpose     TEXT    NOT NULL,
	hash        BLOB    NOT NULL,
	expires_at  INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	used_at     INTEGER
);
INSERT INTO customer_tokens_next (id, shop_id, customer_id, purpose, hash, expires_at, created_at, used_at)
	SELECT id, shop_id, customer_id, purpose, hash, expires_at, created_at, used_at FROM customer_tokens;
INSERT INTO sqlite_sequence (name, seq) SELECT 'customer_tokens_next', seq FROM sqlite_sequence
	WHERE name = 'customer_tokens' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'customer_tokens_next');
UPDATE sqlite_sequence SET seq = max(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'customer_tokens'))
	WHERE name = 'customer_tokens_next';
DROP TABLE customer_tokens;
ALTER TABLE customer_tokens_next RENAME TO customer_tokens;
CREATE INDEX customer_tokens_open ON customer_tokens (customer_id, purpose) WHERE used_at IS NULL;
CREATE INDEX customer_tokens_expiry ON customer_tokens (expires_at);

-- +goose Down
CREATE TABLE customer_tokens_next (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id     INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	purpose     TEXT    NOT NULL,
	hash        BLOB    NOT NULL UNIQUE,
	expires_at  INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	used_at     INTEGER
);
INSERT INTO customer_tokens_next (id, shop_id, customer_id, purpose, hash, expires_at, created_at, used_at)
	SELECT id, shop_id, customer_id, purpose, hash, expires_at, created_at, used_at FROM customer_tokens;
INSERT INTO sqlite_sequence (name, seq) SELECT 'customer_tokens_next', seq FROM sqlite_sequence
	WHERE name = 'customer_tokens' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'customer_tokens_next');
UPDATE sqlite_sequence SET seq = max(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'customer_tokens'))
	WHERE name = 'customer_tokens_next';
DROP TABLE customer_tokens;
ALTER TABLE customer_tokens_next RENAME TO customer_tokens;
CREATE INDEX customer_tokens_customer ON customer_tokens (customer_id, purpose);
CREATE INDEX customer_tokens_open ON customer_tokens (customer_id, purpose) WHERE used_at IS NULL;
CREATE INDEX customer_tokens_expiry ON customer_tokens (expires_at);
