-- +goose Up
-- A customer sees the orders placed with its address only once it has
-- proved it owns the mailbox. Nothing before this version recorded such a
-- proof that survives a change of address, so every existing customer
-- starts unproven, and orders attached to a customer are detached: each is
-- shown again, by its address, once its customer proves the mailbox (a
-- reset, an activation, a Multipass sign-in).
ALTER TABLE customers ADD COLUMN email_verified_at INTEGER;
UPDATE orders SET customer_id = NULL WHERE customer_id IS NOT NULL;

-- +goose Down
ALTER TABLE customers DROP COLUMN email_verified_at;
