-- +goose Up
-- The check value of every server key that has written to this database,
-- so that a node started with none of them refuses to run.
CREATE TABLE key_checks (
	check_value BLOB    NOT NULL PRIMARY KEY,
	created_at  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE key_checks;
