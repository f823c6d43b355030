-- +goose Up
-- A customer's version counts the writes of its row: every statement that
-- changes the row adds one, and an update applies only while the row still
-- has the version its caller read. Two writes can stamp one updated_at (in
-- one tick of the clock, or with a clock set back), so updated_at could not
-- tell a read that another write had overtaken. Existing rows start at 0.
ALTER TABLE customers ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE customers DROP COLUMN version;
