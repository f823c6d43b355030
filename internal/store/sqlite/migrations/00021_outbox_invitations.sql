-- +goose Up
-- Invitations of an import are claimed after every other due row, from
-- their own index; the index of the other jobs leaves them out, so that a
-- backlog of invitations never slows a claim of jobs.
CREATE INDEX outbox_due_invite ON outbox (next_attempt_at, id) WHERE status = 'pending' AND kind = 'invite';
DROP INDEX outbox_due_job;
CREATE INDEX outbox_due_job ON outbox (next_attempt_at, id)
  WHERE status = 'pending' AND kind <> 'mail' AND kind <> 'invite';

-- +goose Down
DROP INDEX outbox_due_job;
CREATE INDEX outbox_due_job ON outbox (next_attempt_at, id) WHERE status = 'pending' AND kind <> 'mail';
DROP INDEX outbox_due_invite;
