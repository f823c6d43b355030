package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/storekeep/storekeep/customerimport"
)

func setupCustomerImport(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	shopDomain := fs.String("shop", "", "the shop's domain (required)")
	invite := fs.Bool("invite", false, "queue an activation mail for every customer the import creates")
	rate := fs.Float64("invite-rate", customerimport.DefaultInviteRate, fmt.Sprintf("invitations that fall due per second for the shop, after every other mail (from %v to %d)",
		customerimport.MinInviteRate, int(customerimport.MaxInviteRate)))
	return func(ctx context.Context) error {
		if err := required("shop", *shopDomain); err != nil {
			return err
		}
		if env.arg == "" {
			return usagef("give the export to read: storekeep customer import --shop DOMAIN customers_export.csv (or - for stdin)")
		}
		if err := customerimport.CheckInviteRate(*rate); err != nil {
			return fmt.Errorf("--invite-rate: %w", err)
		}
		run, err := openImport(ctx, d, env, *shopDomain)
		if err != nil {
			return err
		}
		defer run.Close()
		bar := newProgress(env.stderr, run.size, "importing customers")
		var read int64
		im := customerimport.Importer{Store: run.app.Store, Accounts: run.app.Accounts, Shop: run.shop, Invite: *invite,
			InviteRate: *rate, Progress: func(rows int, bytes int64) {
				bar.advance(int(bytes-read), rows)
				read = bytes
			}}
		start := time.Now()
		sum, err := im.Run(ctx, run.in)
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
