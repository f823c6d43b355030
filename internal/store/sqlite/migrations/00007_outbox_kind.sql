-- +goose Up
-- An outbox row is a mail or a job, and kind says which: 'mail', or the
-- job's kind. Claims and their partial indexes test kind alone; a job's
-- template is empty and its payload is in data, sealed like mail data.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'mail';
UPDATE outbox SET kind = 'recover', template = '' WHERE template = 'recover_request';
DROP INDEX outbox_due_mail;
DROP INDEX outbox_due_job;
CREATE INDEX outbox_due_mail ON outbox (next_attempt_at, id) WHERE status = 'pending' AND kind = 'mail';
CREATE INDEX outbox_due_job ON outbox (next_attempt_at, id) WHERE status = 'pending' AND kind <> 'mail';

-- +goose Down
DROP INDEX outbox_due_job;
DROP INDEX outbox_due_mail;
UPDATE outbox SET template = 'recover_request' WHERE kind = 'recover';
CREATE INDEX outbox_due_mail ON outbox (next_attempt_at, id)
  WHERE status = 'pending' AND template <> 'recover_request';
CREATE INDEX outbox_due_job ON outbox (next_attempt_at, id)
  WHERE status = 'pending' AND template = 'recover_request';
ALTER TABLE outbox DROP COLUMN kind;
