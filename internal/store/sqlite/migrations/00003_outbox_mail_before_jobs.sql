-- +goose Up
-- Due mail and due recover_request jobs are claimed from separate indexes,
-- mail first: a job makes its mail only when it runs, so a backlog of jobs
-- claimed in arrival order would hold every new mail behind all of them.
CREATE INDEX outbox_due_mail ON outbox (next_attempt_at, id)
  WHERE status = 'pending' AND template <> 'recover_request';
CREATE INDEX outbox_due_job ON outbox (next_attempt_at, id)
  WHERE status = 'pending' AND template = 'recover_request';
DROP INDEX outbox_due;

-- +goose Down
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
DROP INDEX outbox_due_job;
DROP INDEX outbox_due_mail;
