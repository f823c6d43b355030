-- +goose Up
-- The read model of orders reported by the shop's commerce platform.
-- details holds what is only ever read back whole (names, totals,
-- addresses, discounts) as JSON; a deleted order keeps its row, emptied,
-- so that a late update cannot bring it back.
ALTER TABLE shops ADD COLUMN webhook_secret BLOB;

CREATE TABLE orders (
	shop_id            INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	id                 INTEGER NOT NULL,
	customer_id        INTEGER REFERENCES customers (id) ON DELETE SET NULL,
	email_key          TEXT    NOT NULL,
	deleted            BOOLEAN NOT NULL,
	processed_at       INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	total_milli        INTEGER NOT NULL,
	financial_status   TEXT    NOT NULL,
	fulfillment_status TEXT    NOT NULL,
	details            TEXT    NOT NULL,
	PRIMARY KEY (shop_id, id)
);
CREATE INDEX orders_customer ON orders (shop_id, customer_id);
CREATE INDEX orders_email ON orders (shop_id, email_key);

CREATE TABLE order_line_items (
	shop_id  INTEGER NOT NULL,
	order_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	title    TEXT    NOT NULL,
	quantity INTEGER NOT NULL,
	details  TEXT    NOT NULL,
	PRIMARY KEY (shop_id, order_id, position),
	FOREIGN KEY (shop_id, order_id) REFERENCES orders (shop_id, id) ON DELETE CASCADE
);

-- Webhook deliveries seen lately, so that a repeated delivery is ignored.
CREATE TABLE order_webhooks (
	shop_id     INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	webhook_id  TEXT    NOT NULL,
	received_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, webhook_id)
);
CREATE INDEX order_webhooks_received ON order_webhooks (shop_id, received_at);

-- +goose Down
DROP TABLE order_webhooks;
DROP TABLE order_line_items;
DROP TABLE orders;
ALTER TABLE shops DROP COLUMN webhook_secret;
