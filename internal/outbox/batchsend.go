package outbox

import (
	"context"
	"log/slog"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
)

// groupSender is a mail.Sender that also delivers several messages in one
// call and returns each one's error, as *mail.SMTPPool and
// *mail.SMTPSender do.
type groupSender interface {
	SendGroup(ctx context.Context, ms []mail.Message) []error
}

// sendMade renders and sends the mails a batch of jobs made, which hold a
// place of the batch each, on the batch's goroutine: gs spreads them over
// its connections, so that no goroutine waits for a connection for each
// mail. Each outcome is recorded as deliver records it, the mails sent in
// one write.
func (w *Worker) sendMade(ctx context.Context, mails []storekeep.Mail, gs groupSender) {
	defer w.release(len(mails))
	attemptCtx, cancel := context.WithTimeout(ctx, w.cfg.Lease/2)
	errs := make([]error, len(mails))
	msgs := make([]mail.Message, 0, len(mails))
	composed := make([]int, 0, len(mails))
	for i, m := range mails {
		msg, err := w.compose(attemptCtx, m)
		if err != nil {
			errs[i] = err
			continue
		}
		msgs, composed = append(msgs, msg), append(composed, i)
	}
	for k, err := range gs.SendGroup(attemptCtx, msgs) {
		errs[composed[k]] = err
	}
	cancel()
	sent := make([]storekeep.Mail, 0, len(mails))
	for i, m := range mails {
		if errs[i] != nil {
			w.record(ctx, w.mailTask(m), false, errs[i])
			continue
		}
		sent = append(sent, m)
	}
	w.recordSent(ctx, sent)
}

// recordSent records mails as sent in one write and counts them, as
// record does for one.
func (w *Worker) recordSent(ctx context.Context, mails []storekeep.Mail) {
	if len(mails) == 0 {
		return
	}
	ids := make([]int64, len(mails))
	for i, m := range mails {
		ids[i] = m.ID
	}
	markCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if _, err := w.writeSent(markCtx, ids); err != nil {
		w.log.Error("outbox: record outcome", "err", err, "mails", len(ids))
	}
	w.metrics.Sent.Add(int64(len(ids)))
	if w.log.Enabled(ctx, slog.LevelDebug) {
		for _, m := range mails {
			w.mailTask(m).logger(w.log).Debug("outbox: mail sent")
		}
	}
}
