-- +goose Up
-- Two indexes of 00030 begin indexes of 00070, which serve every search
-- they served: orders_customer (shop_id, customer_id) begins
-- orders_customer_id, and orders_email (shop_id, email_key) begins
-- orders_waiting_id. Each index costs every write to orders.
DROP INDEX orders_customer;
DROP INDEX orders_email;

-- +goose Down
CREATE INDEX orders_email ON orders (shop_id, email_key);
CREATE INDEX orders_customer ON orders (shop_id, customer_id);
