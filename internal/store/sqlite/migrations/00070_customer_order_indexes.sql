-- +goose Up
-- A customer's orders are read as two halves, each through an index in
-- the order the page asks for, so that the account page costs what the
-- customer's orders cost, not the shop's: the orders attached to the
-- customer, and the orders attached to none placed with its address (shown
-- only once it has proved the address), by id, processed_at or total.
-- customer_id IS NULL is a column of the second kind, not a partial
-- index's condition, so that SQLite sees three equalities there and never
-- prefers walking every unattached order of the shop through the first.
CREATE INDEX orders_customer_id ON orders (shop_id, customer_id, id);
CREATE INDEX orders_customer_processed ON orders (shop_id, customer_id, processed_at, id);
CREATE INDEX orders_customer_total ON orders (shop_id, customer_id, total_milli, id);
CREATE INDEX orders_waiting_id ON orders (shop_id, email_key, customer_id, id);
CREATE INDEX orders_waiting_processed ON orders (shop_id, email_key, customer_id, processed_at, id);
CREATE INDEX orders_waiting_total ON orders (shop_id, email_key, customer_id, total_milli, id);

-- +goose Down
DROP INDEX orders_waiting_total;
DROP INDEX orders_waiting_processed;
DROP INDEX orders_waiting_id;
DROP INDEX orders_customer_total;
DROP INDEX orders_customer_processed;
DROP INDEX orders_customer_id;
