package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/storekeep/storekeep/customerimport"
)

func setupCustomerImport(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	shopDomain := fs.String("shop", "", "the shop's domain (required)")
	invite := fs.Bool("invite", false, "queue an activation mail for every customer the import creates")
	rate := fs.Float64("invite-rate", customerimport.DefaultInviteRate, "invitations that fall due per second for the shop, after every other mail")
	return func(ctx context.Context) error {
		if err := required("shop", *shopDomain); err != nil {
			return err
		}
		if env.arg == "" {
			return errors.New("the export to read is required: storekeep customer import --shop DOMAIN customers_export.csv")
		}
		if *rate <= 0 {
			return fmt.Errorf("--invite-rate must be positive, not %v", *rate)
		}
		f, err := os.Open(env.arg)
		if err != nil {
			return err
		}
		defer f.Close()
		var size int64
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		a, err := adminApp(ctx, d, quietLogger(env))
		if err != nil {
			return err
		}
		defer a.Close()
		shop, err := a.Store.ShopByDomain(ctx, normalDomain(*shopDomain))
		if err != nil {
			return fmt.Errorf("shop %q: %w", *shopDomain, err)
		}
		bar := newProgress(env.stderr, size, time.Now)
		im := customerimport.Importer{Store: a.Store, Accounts: a.Accounts, Shop: shop, Invite: *invite,
			InviteRate: *rate, Progress: bar.update}
		start := time.Now()
		sum, err := im.Run(ctx, f)
		bar.finish()
		for _, e := range sum.Errors {
			fmt.Fprintf(env.stderr, "%s: %v\n", env.arg, e)
		}
		elapsed := time.Since(start)
		fmt.Fprintf(env.stdout, "%d rows in %s (%.0f/s): %d created, %d updated, %d unchanged, %d left out; %d invitations queued\n",
			sum.Rows(), elapsed.Round(time.Millisecond), float64(sum.Rows())/max(elapsed.Seconds(), 1e-9),
			sum.Created, sum.Updated, sum.Unchanged, len(sum.Errors), sum.Invited)
		if err != nil {
			return err
		}
		if len(sum.Errors) > 0 {
			return fmt.Errorf("%d rows were left out; fix them and run the import again (it skips what is done)", len(sum.Errors))
		}
		return nil
	}
}

// progress shows how far an import has gone: a bar redrawn in place on a
// terminal, a plain line every few seconds anywhere else.
type progress struct {
	w        io.Writer
	size     int64
	terminal bool
	now      func() time.Time
	start    time.Time
	last     time.Time
	rows     int
	bytes    int64
}

func newProgress(w io.Writer, size int64, now func() time.Time) *progress {
	p := &progress{w: w, size: size, now: now, start: now()}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

func (p *progress) update(rows int, bytes int64) {
	p.rows, p.bytes = rows, bytes
	every := 5 * time.Second
	if p.terminal {
		every = 100 * time.Millisecond
	}
	if t := p.now(); t.Sub(p.last) >= every {
		p.last = t
		p.draw()
	}
}

func (p *progress) draw() {
	elapsed := max(p.now().Sub(p.start).Seconds(), 1e-9)
	share := 0.0
	if p.size > 0 {
		share = min(float64(p.bytes)/float64(p.size), 1)
	}
	if !p.terminal {
		fmt.Fprintf(p.w, "imported %d rows (%.0f%% of the file, %.0f/s)\n", p.rows, share*100, float64(p.rows)/elapsed)
		return
	}
	const width = 30
	filled := int(share * width)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %d rows %.0f/s ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		share*100, p.rows, float64(p.rows)/elapsed)
}

func (p *progress) finish() {
	if p.terminal && p.rows > 0 {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
