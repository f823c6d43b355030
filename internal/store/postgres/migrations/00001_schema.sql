-- +goose Up
CREATE TABLE shops (
	id             BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	domain         TEXT        NOT NULL,
	name           TEXT        NOT NULL,
	storefront_url TEXT        NOT NULL,
	enumeration    TEXT        NOT NULL,
	mail_from      TEXT        NOT NULL DEFAULT '',
	reply_to       TEXT        NOT NULL DEFAULT '',
	locale         TEXT        NOT NULL DEFAULT '',
	created_at     TIMESTAMPTZ NOT NULL,
	CONSTRAINT shops_domain UNIQUE (domain)
);

CREATE TABLE api_tokens (
	id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	shop_id    BIGINT      NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	kind       TEXT        NOT NULL,
	scopes     JSONB       NOT NULL,
	hash       BYTEA       NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	CONSTRAINT api_tokens_hash UNIQUE (hash)
);
CREATE INDEX api_tokens_shop ON api_tokens (shop_id);

CREATE TABLE customers (
	id                BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	shop_id           BIGINT      NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	email             TEXT        NOT NULL,
	email_key         TEXT        NOT NULL,
	first_name        TEXT        NOT NULL,
	last_name         TEXT        NOT NULL,
	phone             TEXT        NOT NULL,
	accepts_marketing BOOLEAN     NOT NULL,
	tags              JSONB       NOT NULL,
	state             TEXT        NOT NULL,
	password_hash     TEXT        NOT NULL,
	number_of_orders  BIGINT      NOT NULL,
	created_at        TIMESTAMPTZ NOT NULL,
	updated_at        TIMESTAMPTZ NOT NULL,
	CONSTRAINT customers_email_key UNIQUE (shop_id, email_key)
);

CREATE TABLE access_tokens (
	id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	shop_id     BIGINT      NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	customer_id BIGINT      NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	hash        BYTEA       NOT NULL,
	expires_at  TIMESTAMPTZ NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	revoked_at  TIMESTAMPTZ,
	CONSTRAINT access_tokens_hash UNIQUE (hash)
);
CREATE INDEX access_tokens_customer ON access_tokens (customer_id);

CREATE TABLE customer_tokens (
	id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	shop_id     BIGINT      NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	customer_id BIGINT      NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	purpose     TEXT        NOT NULL,
	hash        BYTEA       NOT NULL,
	expires_at  TIMESTAMPTZ NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	used_at     TIMESTAMPTZ,
	CONSTRAINT customer_tokens_hash UNIQUE (hash)
);
CREATE INDEX customer_tokens_customer ON customer_tokens (customer_id, purpose);

CREATE TABLE outbox (
	id              BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	shop_id         BIGINT      NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	recipient       TEXT        NOT NULL,
	template        TEXT        NOT NULL,
	locale          TEXT        NOT NULL,
	data            BYTEA,
	message_id      TEXT        NOT NULL,
	status          TEXT        NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	attempts        INTEGER     NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMPTZ NOT NULL,
	claimed_until   TIMESTAMPTZ,
	last_error      TEXT        NOT NULL DEFAULT '',
	created_at      TIMESTAMPTZ NOT NULL,
	sent_at         TIMESTAMPTZ,
	failed_at       TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_listing ON outbox (status, created_at);
CREATE INDEX outbox_shop ON outbox (shop_id);

CREATE TABLE mailbox (
	id            BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	shop_id       BIGINT      NOT NULL,
	message_id    TEXT        NOT NULL,
	sender        TEXT        NOT NULL,
	recipient     TEXT        NOT NULL,
	recipient_key TEXT        NOT NULL,
	subject       TEXT        NOT NULL,
	text_body     TEXT        NOT NULL,
	html_body     TEXT        NOT NULL,
	received_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX mailbox_recipient ON mailbox (recipient_key, received_at);
CREATE INDEX mailbox_received ON mailbox (received_at);

CREATE TABLE audit_events (
	id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	shop_id     BIGINT      NOT NULL,
	customer_id BIGINT      NOT NULL,
	kind        TEXT        NOT NULL,
	ip          TEXT        NOT NULL,
	user_agent  TEXT        NOT NULL,
	detail      TEXT        NOT NULL,
	at          TIMESTAMPTZ NOT NULL
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
