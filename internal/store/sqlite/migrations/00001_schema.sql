-- +goose Up
CREATE TABLE shops (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	domain         TEXT    NOT NULL UNIQUE,
	name           TEXT    NOT NULL,
	storefront_url TEXT    NOT NULL,
	enumeration    TEXT    NOT NULL,
	created_at     INTEGER NOT NULL
);

CREATE TABLE api_tokens (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id    INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	kind       TEXT    NOT NULL,
	scopes     TEXT    NOT NULL,
	hash       BLOB    NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

CREATE TABLE customers (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id           INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	email             TEXT    NOT NULL,
	email_key         TEXT    NOT NULL,
	first_name        TEXT    NOT NULL,
	last_name         TEXT    NOT NULL,
	phone             TEXT    NOT NULL,
	accepts_marketing INTEGER NOT NULL,
	tags              TEXT    NOT NULL,
	state             TEXT    NOT NULL,
	password_hash     TEXT    NOT NULL,
	number_of_orders  INTEGER NOT NULL,
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	UNIQUE (shop_id, email_key)
);

CREATE TABLE access_tokens (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id     INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	hash        BLOB    NOT NULL UNIQUE,
	expires_at  INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	revoked_at  INTEGER
);
CREATE INDEX access_tokens_customer ON access_tokens (customer_id);

CREATE TABLE customer_tokens (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id     INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	purpose     TEXT    NOT NULL,
	hash        BLOB    NOT NULL UNIQUE,
	expires_at  INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	used_at     INTEGER
);
CREATE INDEX customer_tokens_customer ON customer_tokens (customer_id, purpose);

CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id         INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	recipient       TEXT    NOT NULL,
	template        TEXT    NOT NULL,
	locale          TEXT    NOT NULL,
	data            BLOB,
	message_id      TEXT    NOT NULL,
	status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	claimed_until   INTEGER,
	last_error      TEXT    NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER,
	failed_at       INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE mailbox (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id       INTEGER NOT NULL,
	message_id    TEXT    NOT NULL,
	sender        TEXT    NOT NULL,
	recipient     TEXT    NOT NULL,
	recipient_key TEXT    NOT NULL,
	subject       TEXT    NOT NULL,
	text_body     TEXT    NOT NULL,
	html_body     TEXT    NOT NULL,
	received_at   INTEGER NOT NULL
);
CREATE INDEX mailbox_recipient ON mailbox (recipient_key, received_at);

CREATE TABLE audit_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id     INTEGER NOT NULL,
	customer_id INTEGER NOT NULL,
	kind        TEXT    NOT NULL,
	ip          TEXT    NOT NULL,
	user_agent  TEXT    NOT NULL,
	detail      TEXT    NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX audit_events_shop ON audit_events (shop_id, at);
CREATE INDEX audit_events_at ON audit_events (at);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE mailbox;
DROP TABLE outbox;
DROP TABLE customer_tokens;
DROP TABLE access_tokens;
DROP TABLE customers;
DROP TABLE api_tokens;
DROP TABLE shops;
