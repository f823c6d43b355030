-- +goose Up
-- orders_customer (shop_id, customer_id) is a prefix of orders_customer_id
-- (shop_id, customer_id, id), which serves every query it served.
DROP INDEX orders_customer;

-- +goose Down
CREATE INDEX orders_customer ON orders (shop_id, customer_id);
