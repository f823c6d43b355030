package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/storekeep/storekeep"
)

func setupMailList(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	status := fs.String("status", "", "only mail with this status: pending, sent or failed (default: every status)")
	limit := fs.Int("limit", 50, "how many mails to list, newest first; 0 lists them all")
	return func(ctx context.Context) error {
		s := storekeep.MailStatus(*status)
		switch s {
		case "", storekeep.MailPending, storekeep.MailSent, storekeep.MailFailed:
		default:
			return fmt.Errorf("--status must be pending, sent or failed, not %q", *status)
		}
		if *limit < 0 {
			return errors.New("--limit must not be negative")
		}
		store, _, err := d.open(ctx, quietLogger(env))
		if err != nil {
			return err
		}
		defer store.Close()
		list, err := store.ListMail(ctx, s, *limit)
		if err != nil {
			return err
		}
		w := newTable(env.stdout)
		fmt.Fprintln(w, "ID\tSTATUS\tATTEMPTS\tTO\tTEMPLATE\tCREATED\tLAST ERROR")
		for _, m := range list {
			what := string(m.Template)
			if m.Job != "" {
				what = "job " + string(m.Job)
			}
			fmt.Fprintf(w, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", m.ID, m.Status, m.Attempts, oneLine(m.To), what,
				m.CreatedAt.UTC().Format(time.RFC3339), oneLine(m.LastError))
		}
		return w.Flush()
	}
}

func setupMailRetry(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	ids := defineID(fs, "mail", "the failed mail to send again, as listed by 'storekeep mail list --status failed'; or give it as the argument",
		"storekeep mail retry ID")
	return func(ctx context.Context) error {
		id, err := ids.value(env.arg)
		if err != nil {
			return err
		}
		store, _, err := d.open(ctx, quietLogger(env))
		if err != nil {
			return err
		}
		defer store.Close()
		err = store.RetryMail(ctx, id, time.Now().UTC())
		if errors.Is(err, storekeep.ErrNotFound) {
			return fmt.Errorf("mail %d does not exist or has not failed", id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "mail %d is pending again; a running server sends it shortly\n", id)
		return nil
	}
}

// oneLine keeps a table cell on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
