-- +goose Up
-- A reset revokes a customer's live access tokens. access_tokens_customer
-- held every token the customer ever had until the prune (37 days after a
-- sign-in), so a customer who signs in often made each reset walk them
-- all; the open tokens alone are what the revocation reads. No statement
-- deletes customers or shops, so no cascade needs the whole index.
DROP INDEX access_tokens_customer;
CREATE INDEX access_tokens_open ON access_tokens (customer_id) WHERE revoked_at IS NULL;

-- +goose Down
DROP INDEX access_tokens_open;
CREATE INDEX access_tokens_customer ON access_tokens (customer_id);
