-- +goose Up
-- Customers' address books. At most one address per customer is its
-- default.
CREATE TABLE customer_addresses (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id       INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	customer_id   INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	first_name    TEXT    NOT NULL,
	last_name     TEXT    NOT NULL,
	company       TEXT    NOT NULL,
	address1      TEXT    NOT NULL,
	address2      TEXT    NOT NULL,
	city          TEXT    NOT NULL,
	province      TEXT    NOT NULL,
	province_code TEXT    NOT NULL,
	country       TEXT    NOT NULL,
	country_code  TEXT    NOT NULL,
	zip           TEXT    NOT NULL,
	phone         TEXT    NOT NULL,
	is_default    INTEGER NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);
CREATE INDEX customer_addresses_customer ON customer_addresses (customer_id, id);
CREATE UNIQUE INDEX customer_addresses_default ON customer_addresses (customer_id) WHERE is_default;

-- +goose Down
DROP TABLE customer_addresses;
