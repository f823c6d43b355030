-- +goose NO TRANSACTION
-- +goose Up
-- A reset revokes a customer's live access tokens. access_tokens_customer
-- held every token the customer ever had until the prune (37 days after a
-- sign-in), so a customer who signs in often made each reset walk them
-- all; the open tokens alone are what the revocation reads. No statement
-- deletes customers or shops, so no cascade needs the whole index.
--
-- Every signed-in request reads through this index, and nodes may still
-- serve while it is built (a rolling restart whose nodes migrate on
-- start), so both steps run CONCURRENTLY, outside a transaction: readers
-- are never locked out. A build that failed half way leaves an invalid
-- index, which the first statement drops when the migration runs again.
DROP INDEX CONCURRENTLY IF EXISTS access_tokens_open;
CREATE INDEX CONCURRENTLY access_tokens_open ON access_tokens (customer_id) WHERE revoked_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS access_tokens_customer;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS access_tokens_customer;
CREATE INDEX CONCURRENTLY access_tokens_customer ON access_tokens (customer_id);
DROP INDEX CONCURRENTLY IF EXISTS access_tokens_open;
